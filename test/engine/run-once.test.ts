// run_once under linear on fake hosts: the one host that runs it failing or unreachable, and what the others then do.
import test from 'ava';
import type { Block } from '../../src/load/playbook-types.js';
import type { RunEvent } from '../../src/report/events.js';
import { FakeConnector, book, go, play, task } from './fakes.js';
import { buildInventory } from './inventory-builder.js';

const inv = () => buildInventory({ g: ['a', 'b', 'c'] });
const at = { file: 'test.yml', line: 1, col: 1 };
const stopped = (events: RunEvent[]) =>
  events.flatMap((e) => (e.type === 'warning' && e.message.startsWith('run stopped') ? [e.message] : []));

test('linear: a run_once task failing on its host fails every host of the batch, uncounted; the run ends', async (t) => {
  const c = new FakeConnector();
  c.host('a').answer = (text) => (text.includes('once') ? { code: 1, stdout: 'no' } : undefined);
  const pb = book(
    play('all', [task('run', { cmd: 'once' }, { runOnce: true, register: 'r' }), task('run', { cmd: 'after' })]),
    play('all', [task('run', { cmd: 'next play' })], { name: 'next' }),
  );
  const { result } = await go(pb, inv(), c);
  t.is(result.exitCode, 2);
  t.deepEqual(c.host('a').execs, ['sh -c once']);
  t.deepEqual([c.host('b').execs, c.host('c').execs], [[], []]);
  t.deepEqual(
    ['a', 'b', 'c'].map((h) => result.states.get(h)!.state),
    ['failed', 'failed', 'failed'],
  );
  t.like(result.recap.lines.get('a'), { failed: 1 });
  t.like(result.recap.lines.get('b'), { failed: 0, ok: 0 });
  // They got the registered result all the same (a rescue would see it).
  t.like(result.states.get('b')!.registered.r, { rc: 1, stdout: 'no', failed: true });
});

test('linear: a run_once host unreachable ends the run: the others run neither the rescue, the always nor the next task', async (t) => {
  const c = new FakeConnector();
  c.host('a').unreachable = true;
  const block: Block = {
    kind: 'block',
    name: 'b',
    block: [task('run', { cmd: 'once' }, { runOnce: true, register: 'r' }), task('run', { cmd: 'more' })],
    rescue: [task('run', { cmd: 'rescue' })],
    always: [task('run', { cmd: 'always' })],
    at,
  };
  const pb = book(
    play('all', [block, task('run', { cmd: 'after' })] as never),
    play('all', [task('run', { cmd: 'next play' })], { name: 'next' }),
  );
  const { result, events } = await go(pb, inv(), c);
  t.deepEqual([c.host('b').execs, c.host('c').execs], [[], []]);
  t.like(result.recap.lines.get('a'), { unreachable: 1 });
  t.like(result.recap.lines.get('b'), { ok: 0, failed: 0 });
  t.deepEqual(stopped(events), ['run stopped: run_once task "run" could not reach a']);
  // Ansible exits 2 here (its any_errors_fatal break); stackplay's 3 is "unreachable, none failed" (README).
  t.is(result.exitCode, 3);
});

test('linear: with ignore_errors, a run_once host unreachable stops alone; the others go on with its result', async (t) => {
  const c = new FakeConnector();
  c.host('a').unreachable = true;
  const pb = book(
    play('all', [
      task('run', { cmd: 'once' }, { runOnce: true, register: 'r', ignoreErrors: true }),
      task('run', { cmd: 'after {{ r.unreachable }}' }),
    ]),
  );
  const { result, events } = await go(pb, inv(), c);
  t.is(result.exitCode, 3);
  t.deepEqual([c.host('b').execs, c.host('c').execs], [["sh -c 'after True'"], ["sh -c 'after True'"]]);
  t.deepEqual(stopped(events), []);
});
