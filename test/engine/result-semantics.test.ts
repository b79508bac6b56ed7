// Task results as ansible-core 2.14 shapes and counts them: failed_when/changed_when over the exit code, registered fields, skips, loops.
import test from 'ava';
import { runPlays } from '../../src/engine/run-plays.js';
import type { Playbook, Task } from '../../src/load/playbook-types.js';
import type { RunEvent } from '../../src/report/events.js';
import { Recap } from '../../src/engine/recap.js';
import { loopItems } from '../../src/engine/loop-items.js';
import { FakeConnector, collect, play, task, testModules } from './fakes.js';
import { buildInventory } from './inventory-builder.js';

/** Runs the tasks on one fake host `a`, whose commands answer with `answer`; returns events, recap and the debug probe. */
async function runOn(tasks: Task[], answer: (cmd: string) => { code?: number; stdout?: string; stderr?: string }) {
  const c = new FakeConnector();
  c.host('a').answer = answer;
  const { events, report } = collect();
  const pb: Playbook = { file: 'test.yml', dir: '.', plays: [play('all', tasks)], text: '' };
  const result = await runPlays(pb, buildInventory({ g: ['a'] }), {
    check: false,
    diff: false,
    forks: 1,
    tags: [],
    skipTags: [],
    extraVars: {},
    modules: testModules,
    connector: c,
    report,
    playbookDir: '.',
  });
  const ends = events.filter((e): e is Extract<RunEvent, { type: 'host:end' }> => e.type === 'host:end');
  return { result, ends, execs: c.host('a').execs, recap: result.recap.toJSON().a! };
}

/** A task that runs a command and registers it as `r`. */
const cmd = (text: string, extra: Partial<Task> = {}) => task('run', { cmd: text }, { register: 'r', ...extra });
/** Records what a condition over the registered result says, by running `echo yes` only when it holds. */
const probe = (when: string) => task('run', { cmd: `probe ${when}` }, { when: [when] });

test('failed_when: false makes a non-zero exit ok, and the registered result keeps rc and output', async (t) => {
  const { ends, execs, result } = await runOn(
    [
      cmd('check', { failedWhen: ['false'] }),
      probe('r.rc == 1'),
      probe("r.stdout == 'out'"),
      probe("r.stderr_lines == ['bad']"),
      probe("r.msg == 'non-zero return code'"),
      probe('not r.failed'),
    ],
    (text) => (text.includes('check') ? { code: 1, stdout: 'out\n', stderr: 'bad\n' } : {}),
  );
  t.is(result.exitCode, 0);
  t.deepEqual(
    ends.map((e) => e.status),
    ['changed', 'changed', 'changed', 'changed', 'changed', 'changed'],
  );
  t.is(execs.length, 6);
});

test('failed_when on the output fails a zero exit; changed_when: false keeps it ok', async (t) => {
  const { ends, result } = await runOn(
    [cmd('read', { changedWhen: ['false'] }), cmd('grep', { failedWhen: ["'ERROR' in r.stdout"] })],
    (text) => ({ stdout: text.includes('grep') ? 'ERROR here' : 'fine' }),
  );
  t.deepEqual(
    ends.map((e) => e.status),
    ['ok', 'failed'],
  );
  t.is(result.exitCode, 2);
});

test('an ignored failure registers the command output and counts ok + ignored + changed, never failed', async (t) => {
  const { recap, execs, result } = await runOn(
    [cmd('boom', { ignoreErrors: true }), probe("r.failed and r.rc == 3 and r.stdout_lines == ['a', 'b']")],
    (text) => (text.includes('boom') ? { code: 3, stdout: 'a\nb\n' } : {}),
  );
  t.is(result.exitCode, 0);
  t.is(execs.length, 2, 'the probe saw rc, stdout_lines and failed');
  t.deepEqual(recap, { ok: 2, changed: 2, failed: 0, unreachable: 0, skipped: 0, ignored: 1 });
});

test('a skipped task registers skipped, skip_reason and changed: false', async (t) => {
  const { ends, execs } = await runOn(
    [
      cmd('never', { when: ['false'] }),
      probe("r.skipped and not r.changed and r.skip_reason == 'Conditional result was False'"),
    ],
    () => ({}),
  );
  t.deepEqual(
    ends.map((e) => e.status),
    ['skipped', 'changed'],
  );
  t.is(execs.length, 1);
});

test('when is evaluated per loop item; skipped items are registered as skipped items', async (t) => {
  const { ends, execs } = await runOn(
    [
      cmd('echo {{ item }}', { loop: [1, 2, 3], when: ['item != 2'] }),
      probe('r.results[1].skipped and r.results[2].item == 3 and r.results[0].ansible_loop_var == "item"'),
    ],
    () => ({}),
  );
  t.deepEqual(execs, ["sh -c 'echo 1'", "sh -c 'echo 3'", execs[2]!]);
  t.deepEqual(
    ends.map((e) => e.status),
    ['changed', 'changed'],
  );
});

test('a loop whose every item is skipped is a skipped task', async (t) => {
  const { ends, recap } = await runOn([cmd('echo {{ item }}', { loop: [1, 2], when: ['item > 5'] })], () => ({}));
  t.is(ends[0]!.status, 'skipped');
  t.is(recap.skipped, 1);
});

test('a loop runs every item even after one fails, then the task fails', async (t) => {
  const { ends, execs } = await runOn([cmd('step {{ item }}', { loop: ['a', 'b', 'c'] })], (text) =>
    text.includes('step b') ? { code: 1 } : {},
  );
  t.is(execs.length, 3);
  t.is(ends[0]!.status, 'failed');
  t.regex(ends[0]!.message!, /step b: exit 1/);
});

test('with_items flattens one level, with_dict gives key/value items, index_var numbers them', async (t) => {
  const base = task('run', { cmd: 'x' });
  t.deepEqual(loopItems({ ...base, loopWith: 'items' }, [[1, 2], 3, [[4]]]), [1, 2, 3, [4]]);
  t.deepEqual(loopItems(base, [[1, 2], 3]), [[1, 2], 3]);
  t.deepEqual(loopItems({ ...base, loopWith: 'dict' }, { a: 1, b: 2 }), [
    { key: 'a', value: 1 },
    { key: 'b', value: 2 },
  ]);
  t.throws(() => loopItems({ ...base, loopWith: 'dict' }, [1]), { message: /with_dict expects a mapping/ });
  const { execs } = await runOn(
    [task('run', { cmd: 'echo {{ i }}:{{ svc }}' }, { loop: ['api', 'web'], loopVar: 'svc', indexVar: 'i' })],
    () => ({}),
  );
  t.deepEqual(execs, ["sh -c 'echo 0:api'", "sh -c 'echo 1:web'"]);
});

test('the recap counts an ignored failure as ok and ignored, and changed only when its result changed', (t) => {
  const r = new Recap();
  r.count('a', 'failed', true, true);
  r.count('b', 'failed', true, false);
  t.deepEqual(r.toJSON().a, { ok: 1, changed: 1, failed: 0, unreachable: 0, skipped: 0, ignored: 1 });
  t.deepEqual(r.toJSON().b, { ok: 1, changed: 0, failed: 0, unreachable: 0, skipped: 0, ignored: 1 });
  t.is(r.exitCode(false), 0);
});
