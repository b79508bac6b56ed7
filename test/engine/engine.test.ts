// Engine behaviour on fake hosts: ordering, parallelism, failures, batches, handlers, check mode.
import test from 'ava';
import { FakeConnector, book, ends, go, play, task } from './fakes.js';
import { buildInventory } from './inventory-builder.js';
import { loadInventoryTexts } from '../../src/inventory/load.js';
import { groupsMap } from '../../src/inventory/resolve.js';
import type { RunEvent } from '../../src/report/events.js';

test('tasks run in lock-step: every host finishes task 1 before any starts task 2', async (t) => {
  const inv = buildInventory({ web: ['a', 'b', 'c'] });
  const c = new FakeConnector();
  const { events } = await go(book(play('web', [task('run', { cmd: 'one' }), task('run', { cmd: 'two' })])), inv, c);
  const order = ends(events).map((e) => `${e.task.index}:${e.host}`);
  t.deepEqual(
    order.slice(0, 3).map((s) => s[0]),
    ['0', '0', '0'],
  );
  t.deepEqual(
    order.slice(3).map((s) => s[0]),
    ['1', '1', '1'],
  );
});

test('forks bounds how many hosts run at once', async (t) => {
  const names = Array.from({ length: 12 }, (_, i) => `h${i}`);
  const c = new FakeConnector();
  await go(book(play('all', [task('run', { cmd: 'x' })])), buildInventory({ g: names }), c, { forks: 3 });
  t.is(c.maxInFlight, 3);
});

test('a failed host drops out, the others finish, exit code 2', async (t) => {
  const c = new FakeConnector();
  c.host('b').answer = (text) => (text.includes('boom') ? { code: 7, stderr: 'it broke' } : undefined);
  const { result, events } = await go(
    book(play('all', [task('run', { cmd: 'boom' }), task('run', { cmd: 'after' })])),
    buildInventory({ g: ['a', 'b', 'c'] }),
    c,
  );
  t.is(result.exitCode, 2);
  const failed = ends(events).find((e) => e.host === 'b')!;
  t.is(failed.status, 'failed');
  t.regex(failed.message!, /exit 7[\s\S]*it broke/);
  t.deepEqual(
    ends(events)
      .filter((e) => e.task.index === 1)
      .map((e) => e.host),
    ['a', 'c'],
  );
  t.deepEqual(result.recap.toJSON().b, { ok: 0, changed: 0, failed: 1, unreachable: 0, skipped: 0, ignored: 0 });
  t.is(result.recap.toJSON().a!.changed, 2);
});

test('an unreachable host is reported as such while the others finish; exit code 3', async (t) => {
  const c = new FakeConnector();
  c.host('b').unreachable = true;
  const { result, events } = await go(
    book(play('all', [task('setfile', { path: '/f', content: 'x' }), task('setfile', { path: '/g', content: 'y' })])),
    buildInventory({ g: ['a', 'b', 'c'] }),
    c,
  );
  t.is(result.exitCode, 3);
  t.is(ends(events).find((e) => e.host === 'b')!.status, 'unreachable');
  t.is(result.recap.toJSON().b!.unreachable, 1);
  t.is(c.host('a').files.get('/g'), 'y');
  t.is(c.host('c').files.get('/g'), 'y');
});

test('a second run of an idempotent play reports nothing changed', async (t) => {
  const c = new FakeConnector();
  const pb = book(play('all', [task('setfile', { path: '/etc/motd', content: 'hi {{ inventory_hostname }}' })]));
  const inv = buildInventory({ g: ['a', 'b'] });
  const first = await go(pb, inv, c);
  t.is(first.result.recap.toJSON().a!.changed, 1);
  t.is(c.host('b').files.get('/etc/motd'), 'hi b');
  const second = await go(pb, inv, c);
  t.is(second.result.recap.toJSON().a!.changed, 0);
  t.is(second.result.recap.toJSON().a!.ok, 1);
});

test('check mode plans, reports changes, and never writes or runs a mutating command', async (t) => {
  const c = new FakeConnector(true);
  const pb = book(
    play('all', [task('setfile', { path: '/f', content: 'x' }), task('run', { cmd: 'rm -rf /' }), task('probe', {})]),
  );
  const { result, events } = await go(pb, buildInventory({ g: ['a', 'b'] }), c, { check: true });
  t.is(result.exitCode, 0, JSON.stringify(ends(events).map((e) => e.message)));
  t.deepEqual(
    ends(events).map((e) => e.status),
    ['changed', 'changed', 'changed', 'changed', 'ok', 'ok'],
  );
  t.is(c.host('a').writes.length, 0);
  t.deepEqual(c.host('a').execs, ['uname -n']);
});

test('a module that does not converge is reported as a module bug', async (t) => {
  const c = new FakeConnector();
  const { result, events } = await go(book(play('all', [task('broken', {})])), buildInventory({ g: ['a'] }), c);
  t.is(result.exitCode, 2);
  t.regex(ends(events)[0]!.message!, /bug in module broken: not convergent/);
});

test('serial splits hosts into batches; max_fail_percentage stops the run', async (t) => {
  const c = new FakeConnector();
  c.host('h1').answer = () => ({ code: 1 });
  const pb = book(play('all', [task('run', { cmd: 'x' })], { serial: [2], maxFailPercentage: 0 }));
  const { result, events } = await go(pb, buildInventory({ g: ['h1', 'h2', 'h3', 'h4'] }), c);
  const batches = events.filter((e) => e.type === 'batch:start');
  t.is(batches.length, 1, 'the run stops after the first batch');
  t.deepEqual(
    ends(events).map((e) => e.host),
    ['h1', 'h2'],
  );
  t.regex(result.stopped!, /max_fail_percentage/);
  t.is(result.exitCode, 2);
});

// ansible-playbook gave these batches (ansible_play_batch) and groups.web for this inventory: the pattern's terms in
// order (web, then db), web's own hosts before its child edge's, though edge's host is listed first in the file.
test("serial batches follow Ansible's host order, and so does groups[...]", async (t) => {
  const { inventory } = loadInventoryTexts([
    { file: 'order.ini', text: '[db]\nd1\nd2\n[edge]\ne1\n[web:children]\nedge\n[web]\nw2\nw1\n' },
  ]);
  const c = new FakeConnector();
  const pb = book(play('web:db', [task('run', { cmd: 'x' })], { serial: [2] }));
  const { events } = await go(pb, inventory, c);
  t.deepEqual(
    events.flatMap((e) => (e.type === 'batch:start' ? [e.hosts] : [])),
    [['w2', 'w1'], ['e1', 'd1'], ['d2']],
  );
  t.deepEqual(groupsMap(inventory).web, ['w2', 'w1', 'e1']);
});

test('any_errors_fatal stops every host after the failing task', async (t) => {
  const c = new FakeConnector();
  c.host('a').answer = () => ({ code: 1 });
  const pb = book(play('all', [task('run', { cmd: 'x' }), task('run', { cmd: 'y' })], { anyErrorsFatal: true }));
  const { events } = await go(pb, buildInventory({ g: ['a', 'b'] }), c);
  t.false(ends(events).some((e) => e.task.index === 1));
});

test('handlers run once, at the end, on hosts whose notifying task changed', async (t) => {
  const c = new FakeConnector();
  c.host('b').files.set('/conf', 'v1');
  const handler = task('run', { cmd: 'reload' }, { name: 'reload it' });
  const pb = book(
    play(
      'all',
      [
        task('setfile', { path: '/conf', content: 'v1' }, { notify: ['reload it'] }),
        task('setfile', { path: '/conf2', content: 'v1' }, { notify: ['reload it'] }),
      ],
      { handlers: [handler] },
    ),
  );
  const { events } = await go(pb, buildInventory({ g: ['a', 'b'] }), c);
  const handled = ends(events).filter((e) => e.task.handler);
  t.deepEqual(handled.map((e) => e.host).sort(), ['a', 'b']);
  t.is(c.host('a').execs.filter((x) => x.includes('reload')).length, 1);
});

test('when, loop, register and changed_when', async (t) => {
  const c = new FakeConnector();
  c.host('a').answer = (text) => ({ stdout: text.includes('echo') ? 'hello\n' : '' });
  const pb = book(
    play('all', [
      task('run', { cmd: 'echo {{ item }}' }, { loop: ['x', 'y'], register: 'out' }),
      task(
        'run',
        { cmd: 'only-if' },
        { when: ['out.results | length == 2', "out.results[0].stdout == 'hello'"], changedWhen: ['false'] },
      ),
      task('run', { cmd: 'never' }, { when: ['inventory_hostname == "zzz"'] }),
    ]),
  );
  const { events } = await go(pb, buildInventory({ g: ['a'] }), c);
  t.deepEqual(
    ends(events).map((e) => e.status),
    ['changed', 'ok', 'skipped'],
  );
  t.deepEqual(c.host('a').execs, ["sh -c 'echo x'", "sh -c 'echo y'", 'sh -c only-if']);
});

test('until retries a task until its condition holds', async (t) => {
  const c = new FakeConnector();
  let n = 0;
  c.host('a').answer = () => ({ stdout: String(++n) });
  const pb = book(
    play('all', [
      task('run', { cmd: 'count' }, { register: 'r', until: ['r.stdout | int >= 3'], retries: 5, delay: 0 }),
    ]),
  );
  const { result } = await go(pb, buildInventory({ g: ['a'] }), c);
  t.is(result.exitCode, 0);
  t.is(n, 3);
});

test("until exhausted keeps the last attempt's own message (as Ansible), saying how long it waited", async (t) => {
  const c = new FakeConnector();
  c.host('a').answer = () => ({ code: 1, stderr: 'still broken' });
  const pb = book(
    play('all', [task('run', { cmd: 'check' }, { register: 'r', until: ['r is succeeded'], retries: 1, delay: 0 })]),
  );
  const { events } = await go(pb, buildInventory({ g: ['a'] }), c);
  const end = ends(events)[0]!;
  t.is(end.status, 'failed');
  t.regex(end.message ?? '', /still broken/);
  t.regex(end.message ?? '', /\(retries exhausted: 2 attempts waiting for: r is succeeded\)$/);
});

test('a play on role groups runs phase by phase: core, routers, DEAs, load balancer last', async (t) => {
  const c = new FakeConnector();
  const inv = buildInventory({ load_balancer: ['lb1'], dea: ['dea1', 'dea2'], router: ['r1'], core: ['core1'] });
  const { events } = await go(book(play('core:router:dea:load_balancer', [task('run', { cmd: 'x' })])), inv, c);
  t.deepEqual(
    events.filter((e) => e.type === 'phase:start').map((e) => (e as { phase: string }).phase),
    ['core', 'router', 'dea', 'load_balancer'],
  );
  t.deepEqual(
    ends(events).map((e) => e.host),
    ['core1', 'r1', 'dea1', 'dea2', 'lb1'],
  );
});

test('--tags and --limit narrow what runs', async (t) => {
  const c = new FakeConnector();
  const pb = book(
    play('all', [task('run', { cmd: 'a' }, { tags: ['one'] }), task('run', { cmd: 'b' }, { tags: ['two'] })]),
  );
  const { events } = await go(pb, buildInventory({ g: ['x', 'y'] }), c, { tags: ['two'], limit: 'y' });
  t.deepEqual(
    ends(events).map((e) => `${e.host}:${e.task.index}`),
    ['y:1'],
  );
});

test('extra vars win over everything; an undefined variable fails only that host, naming it', async (t) => {
  const c = new FakeConnector();
  const inv = buildInventory({ g: ['a', 'b'] }, { a: { port: 1 }, b: {} });
  const pb = book(
    play('all', [task('setfile', { path: '/p', content: '{{ port }}-{{ who }}' })], { vars: { who: 'play' } }),
  );
  const { events } = await go(pb, inv, c, { extraVars: { who: 'extra' } });
  t.is(c.host('a').files.get('/p'), '1-extra');
  const b = ends(events).find((e) => e.host === 'b')!;
  t.is(b.status, 'failed');
  t.regex(b.message!, /port/);
});

test('data is never code: a host printing a template gets it passed on as text, never evaluated', async (t) => {
  const c = new FakeConnector();
  c.host('a').answer = (text) => ({ stdout: text.includes('note') ? '{{ api_note | upper }}' : '' });
  const inv = buildInventory({ g: ['a'] }, { a: { api_note: 'controller-only' } });
  const pb = book(
    play('all', [
      task('run', { cmd: 'note' }, { register: 'r' }),
      task('setfile', { path: '/copy', content: 'got {{ r.stdout }}' }),
      task('setfile', { path: '/lone', content: '{{ r.stdout }}' }),
      task('run', { cmd: 'echo {{ item }}' }, { loop: ['{{ r.stdout }}'] }),
    ]),
  );
  const { result } = await go(pb, inv, c);
  t.is(result.exitCode, 0);
  t.is(c.host('a').files.get('/copy'), 'got {{ api_note | upper }}');
  t.is(c.host('a').files.get('/lone'), '{{ api_note | upper }}');
  t.false(c.host('a').execs.some((e) => e.includes('CONTROLLER-ONLY')));
});

const warnings = (events: RunEvent[]) => events.flatMap((e) => (e.type === 'warning' ? [e.message] : []));
const playsStarted = (events: RunEvent[]) => events.flatMap((e) => (e.type === 'play:start' ? [e.name] : []));

test('every host of a play failed: the run ends there, as ansible-playbook; the next play and its hosts are left out', async (t) => {
  const c = new FakeConnector();
  for (const h of ['a', 'b']) c.host(h).answer = () => ({ code: 1 });
  const inv = buildInventory({ first: ['a', 'b'], second: ['c'] });
  const pb = book(
    play('first', [task('run', { cmd: 'x' })], { name: 'one' }),
    play('second', [task('run', { cmd: 'y' })]),
  );
  const { result, events } = await go(pb, inv, c);
  t.deepEqual(playsStarted(events), ['one']);
  t.deepEqual(c.host('c').execs, []);
  t.is(result.exitCode, 2);
  t.regex(result.stopped!, /^every host of play "one" failed or was unreachable \(a, b\)/);
  t.deepEqual(warnings(events), [`run stopped: ${result.stopped}`]);
  t.deepEqual(Object.keys(result.recap.toJSON()), ['a', 'b'], 'c never ran: not in the recap');
});

test('every host of a play unreachable ends the run too (exit 3); some hosts down and others not, it goes on', async (t) => {
  const c = new FakeConnector();
  c.host('a').unreachable = true;
  const inv = buildInventory({ first: ['a'], both: ['a', 'b'], last: ['c'] });
  const gone = await go(
    book(play('first', [task('run', { cmd: 'x' })]), play('last', [task('run', { cmd: 'y' })])),
    inv,
    c,
  );
  t.is(gone.result.exitCode, 3);
  t.deepEqual(playsStarted(gone.events), ['first']);
  const half = await go(
    book(play('both', [task('run', { cmd: 'x' })]), play('last', [task('run', { cmd: 'y' })])),
    inv,
    c,
  );
  t.deepEqual(playsStarted(half.events), ['both', 'last']);
  t.is(half.result.stopped, undefined);
});

test('serial: a batch whose hosts all failed ends the run; the later batches and plays do not run', async (t) => {
  const c = new FakeConnector();
  for (const h of ['h3', 'h4']) c.host(h).answer = () => ({ code: 1 });
  const inv = buildInventory({ g: ['h1', 'h2', 'h3', 'h4', 'h5'] });
  const pb = book(
    play('all', [task('run', { cmd: 'x' })], { name: 'rolling', serial: [2] }),
    play('all', [task('run', { cmd: 'y' })]),
  );
  const { result, events } = await go(pb, inv, c);
  t.deepEqual(
    events.flatMap((e) => (e.type === 'batch:start' ? [e.hosts] : [])),
    [
      ['h1', 'h2'],
      ['h3', 'h4'],
    ],
  );
  t.deepEqual(playsStarted(events), ['rolling']);
  t.regex(result.stopped!, /^every host of batch 2 of play "rolling" failed or was unreachable \(h3, h4\)/);
  t.false('h5' in result.recap.toJSON(), 'the batch never reached is not in the recap');
});

test('a host already down when a batch begins keeps the run going, even when all the others fail in it', async (t) => {
  const c = new FakeConnector();
  c.host('a').answer = (text) => (text.includes('first') ? { code: 1 } : undefined);
  c.host('b').answer = (text) => (text.includes('second') ? { code: 1 } : undefined);
  const inv = buildInventory({ ab: ['a', 'b'], e: ['e'] });
  const pb = book(
    play('ab', [task('run', { cmd: 'first' })]),
    play('ab', [task('run', { cmd: 'second' })]),
    play('e', [task('run', { cmd: 'third' })]),
  );
  const { result, events } = await go(pb, inv, c);
  t.deepEqual(playsStarted(events), ['ab', 'ab', 'e']);
  t.deepEqual(c.host('e').execs, ['sh -c third']);
  t.is(result.stopped, undefined);
});

test('a phased play without serial is one batch: the core failing does not stop its later phases; all down, the run ends after it', async (t) => {
  const c = new FakeConnector();
  c.host('core1').answer = () => ({ code: 1 });
  const inv = buildInventory({ core: ['core1'], dea: ['dea1'], router: ['r1'] });
  const cluster = play('core:dea', [task('run', { cmd: 'x' })], { name: 'cluster' });
  const after = play('router', [task('run', { cmd: 'y' })]);
  const goesOn = await go(book(cluster, after), inv, c);
  t.deepEqual(
    ends(goesOn.events).map((e) => `${e.host} ${e.status}`),
    ['core1 failed', 'dea1 changed', 'r1 changed'],
  );
  c.host('dea1').answer = () => ({ code: 1 });
  const ended = await go(book(cluster, after), inv, c);
  t.deepEqual(
    ends(ended.events).map((e) => `${e.host} ${e.status}`),
    ['core1 failed', 'dea1 failed'],
  );
  t.regex(ended.result.stopped!, /^every host of play "cluster" failed or was unreachable \(core1, dea1\)/);
});

test('with nothing left to run, hosts all down stop nothing: no warning, no stopped (a last play, a last batch)', async (t) => {
  const c = new FakeConnector();
  for (const h of ['a', 'b']) c.host(h).answer = () => ({ code: 1 });
  const inv = buildInventory({ g: ['a', 'b'] });
  for (const extra of [{}, { serial: [1] }]) {
    c.host('a').answer = extra.serial ? undefined : () => ({ code: 1 });
    const { result, events } = await go(book(play('all', [task('run', { cmd: 'x' })], extra)), inv, c);
    t.is(result.exitCode, 2);
    t.is(result.stopped, undefined);
    t.deepEqual(warnings(events), []);
  }
});

test('a play that matches no host is skipped and does not end the run', async (t) => {
  const c = new FakeConnector();
  const inv = buildInventory({ g: ['a'] });
  const { result, events } = await go(
    book(play('nosuch', [task('run', { cmd: 'x' })]), play('g', [task('run', { cmd: 'y' })])),
    inv,
    c,
  );
  t.deepEqual(playsStarted(events), ['nosuch', 'g']);
  t.deepEqual(c.host('a').execs, ['sh -c y']);
  t.is(result.stopped, undefined);
});
