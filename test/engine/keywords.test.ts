// Core keywords in the loader and the engine: block inheritance, rescue per host, includes per host and item, set_fact.
import test from 'ava';
import { loadPlaybook } from '../../src/load/playbook.js';
import { flatTasks, type Block, type Playbook } from '../../src/load/playbook-types.js';
import type { Module } from '../../src/sdk.js';
import type { RunEvent } from '../../src/report/events.js';
import { setFact } from '../../modules/set_fact.js';
import { modules as realModules } from '../../modules/index.js';
import { FakeConnector, go as runFake, play, task, testModules } from './fakes.js';
import { buildInventory } from './inventory-builder.js';

const dir = 'test/fixtures/playbooks/keywords';
const modules = new Map<string, Module>([...testModules, ['set_fact', setFact as unknown as Module]]);

const load = (name: string): Playbook => {
  const r = loadPlaybook(`${dir}/${name}.yml`, modules);
  if (!r.playbook) throw new Error(r.diagnostics.map((d) => d.message).join('\n'));
  return r.playbook;
};

async function go(pb: Playbook, c: FakeConnector, extra: { anyErrorsFatal?: boolean; check?: boolean } = {}) {
  const inv = buildInventory({ web: ['a', 'b', 'c'] }, { a: { steps: [1, 2] }, b: { steps: [] }, c: { steps: [3] } });
  if (extra.anyErrorsFatal) for (const p of pb.plays) p.anyErrorsFatal = true;
  return runFake(pb, inv, c, { check: extra.check ?? false, modules, playbookDir: dir });
}

const ends = (events: RunEvent[]) =>
  events.filter((e): e is Extract<RunEvent, { type: 'host:end' }> => e.type === 'host:end');

test('a block passes when, tags, become, ignore_errors and vars down to its tasks; the task keeps its own on top', (t) => {
  const pb = load('inherit');
  const outer = pb.plays[0]!.tasks[0] as Block;
  t.is(outer.kind, 'block');
  const [leaf, step] = flatTasks(pb.plays[0]!.tasks);
  t.like(leaf, { name: 'leaf', when: ['a', 'c'], become: true, ignoreErrors: true, vars: { x: 1, y: 2 } });
  t.deepEqual(new Set(leaf!.tags), new Set(['p', 'b', 't']));
  t.like(step, { name: 'step', when: ['d'] });
  t.deepEqual(new Set(step!.tags), new Set(['p', 'i']));
});

test('an imported task keeps the position in its own file; a problem there is reported at that file:line:col', (t) => {
  const step = flatTasks(load('inherit').plays[0]!.tasks)[1]!;
  t.like(step.at, { file: `${dir}/tasks/step.yml`, line: 1, col: 3 });
  const r = loadPlaybook(`${dir}/import-bad.yml`, modules);
  t.is(r.playbook, undefined);
  t.is(r.diagnostics.length, 1);
  t.like(r.diagnostics[0], { code: 'E_PARAM_UNKNOWN_KEY' });
  t.like(r.diagnostics[0]!.at, { file: `${dir}/tasks/bad-inside.yml`, line: 4, col: 17 });
});

test('handlers run after pre_tasks, at meta: flush_handlers, after tasks and at the end of post_tasks', async (t) => {
  const c = new FakeConnector();
  await go(load('handlers'), c);
  t.deepEqual(
    c.host('a').execs.map((x) => x.replace(/^sh -c /, '')),
    ['pre', 'handler', 'main', 'handler', 'after', 'handler', 'post'],
  );
});

test('rescue runs only on the host that failed; always on all; the rescued host goes on, counted rescued', async (t) => {
  const c = new FakeConnector();
  c.host('b').answer = (text) => (text.includes('fail-on b') ? { code: 1, stderr: 'no' } : undefined);
  const { result, events } = await go(load('engine'), c);
  t.is(result.exitCode, 0);
  t.deepEqual(c.host('a').execs.filter((x) => /recover|tidy/.test(x)).length, 1);
  t.true(c.host('b').execs.some((x) => x.includes('recover may fail')));
  t.true(c.host('b').execs.some((x) => x.includes('tidy b')));
  t.like(result.recap.toJSON().b, { failed: 0, rescued: 1 });
  t.is(result.recap.toJSON().a!.rescued, undefined);
  const failed = ends(events).find((e) => e.host === 'b' && e.task.name === 'may fail')!;
  t.is(failed.status, 'failed');
});

test('include_tasks runs per host and loop item: a host with no items skips it, the others run theirs in order', async (t) => {
  const c = new FakeConnector();
  const { result, events } = await go(load('engine'), c);
  t.is(result.exitCode, 0);
  const steps = (h: string) => c.host(h).execs.filter((x) => x.includes('step'));
  t.deepEqual(steps('a'), ["sh -c 'step 1'", "sh -c 'step 2'"]);
  t.deepEqual(steps('b'), []);
  t.deepEqual(steps('c'), ["sh -c 'step 3'"]);
  const included = ends(events).filter((e) => e.task.module === 'include_tasks');
  t.deepEqual(
    included.map((e) => `${e.host}:${e.status}`),
    ['a:ok', 'a:ok', 'b:skipped', 'c:ok'],
  );
});

test('a task read at run time that becomes with su fails on the hosts with a become password, and only there', async (t) => {
  const c = new FakeConnector();
  const inv = buildInventory(
    { web: ['a', 'b'] },
    { a: { ansible_user: 'deploy', ansible_become_password: 'pw-su-1' }, b: { ansible_user: 'deploy' } },
  );
  const { result, events } = await runFake(load('su-include'), inv, c, { modules, playbookDir: dir });
  const su = ends(events).filter((e) => e.task.name === 'as app through su');
  t.deepEqual(
    su.map((e) => `${e.host}:${e.status}`),
    ['a:failed', 'b:changed'],
  );
  t.regex(JSON.stringify(su[0]), /su reads a password only from a terminal/);
  t.false(
    c.host('a').execs.some((x) => x.includes('step su')),
    'nothing ran on a',
  );
  t.true(
    c.host('b').execs.some((x) => x.includes('step su')),
    JSON.stringify(c.host('b').execs),
  );
  t.like(result.recap.toJSON().a, { failed: 1 });
  // A task whose when is false is skipped before its privilege matters.
  const never = ends(events).filter((e) => e.task.name === 'su never reached');
  t.deepEqual(
    never.map((e) => `${e.host}:${e.status}`),
    ['b:skipped'],
  );
});

test('a rescued failure does not trip any_errors_fatal; an unrescued one does', async (t) => {
  const c = new FakeConnector();
  c.host('b').answer = (text) => (text.includes('fail-on b') || text.includes('recover') ? { code: 1 } : undefined);
  const { result } = await go(load('engine'), c, { anyErrorsFatal: true });
  t.like(result.recap.toJSON().b, { rescued: 1, failed: 1 });
  t.regex(result.stopped ?? '', /any_errors_fatal/);
  t.false(c.host('a').execs.some((x) => x.includes('step')));
});

test('roles: tasks named "role : task" before the play tasks, handlers added, defaults lowest, role vars over play vars', (t) => {
  const r = loadPlaybook('test/fixtures/keywords/roles.yml', realModules);
  if (!r.playbook) throw new Error(r.diagnostics.map((d) => d.message).join('\n'));
  const play = r.playbook.plays[0]!;
  const tasks = flatTasks(play.tasks);
  t.deepEqual(
    tasks.map((x) => x.name),
    ['web : show', 'web : page', 'web : static', 'debug: msg=tasks after roles'],
  );
  t.true(tasks[1]!.roleDir!.endsWith('roles/web'));
  t.deepEqual(tasks[0]!.when, ['true']);
  t.deepEqual(
    play.handlers.map((h) => h.name),
    ['reload web'],
  );
  t.like(play.defaults, { web_port: 80, web_level: 'defaults' });
  t.like(play.vars, { web_port: 8080, web_level: 'role vars' });
});

const book = (...plays: Playbook['plays']): Playbook => ({ file: 'test.yml', dir: '.', plays, text: '' });

test('environment is exported for the task commands only, in a subshell, rendered per host', async (t) => {
  const c = new FakeConnector();
  const env = { environment: { GREETING: 'hi {{ inventory_hostname }}', FLAG: true } };
  await go(book(play('all', [task('run', { cmd: 'printenv GREETING' }, env), task('run', { cmd: 'after' })])), c);
  t.deepEqual(c.host('b').execs, [
    "(export GREETING='hi b'; export FLAG=True; sh -c 'printenv GREETING'\n)",
    'sh -c after',
  ]);
});

test('check_mode: true only plans that task; check_mode: false runs it under --check', async (t) => {
  const c = new FakeConnector();
  const pb = book(
    play('all', [
      task('setfile', { path: '/a', content: 'x' }, { checkMode: true }),
      task('setfile', { path: '/b', content: 'y' }),
    ]),
  );
  await go(pb, c);
  t.deepEqual(c.host('a').writes, ['/b']);
  const c2 = new FakeConnector();
  const pb2 = book(
    play('all', [
      task('setfile', { path: '/a', content: 'x' }, { checkMode: false }),
      task('setfile', { path: '/b', content: 'y' }),
    ]),
  );
  await go(pb2, c2, { check: true });
  t.deepEqual(c2.host('a').writes, ['/a']);
});

test('run_once runs on the first host; every host gets its registered result; only the first is counted', async (t) => {
  const c = new FakeConnector();
  c.host('a').answer = () => ({ stdout: 'from a\n' });
  const pb = book(
    play('all', [
      task('run', { cmd: 'once' }, { runOnce: true, register: 'r' }),
      task('run', { cmd: 'saw {{ r.stdout }}' }),
    ]),
  );
  const { result } = await go(pb, c);
  t.deepEqual(c.host('b').execs, ["sh -c 'saw from a'"]);
  t.like(result.recap.toJSON().a, { changed: 2 });
  t.like(result.recap.toJSON().b, { changed: 1 });
});

test('delegate_to runs the module on the other host with the task host vars; the result is the task host own', async (t) => {
  const c = new FakeConnector();
  c.host('c').answer = (text) => (text.includes('for') ? { stdout: 'ran on c\n' } : undefined);
  const pb = book(
    play('all', [
      task('run', { cmd: 'for {{ inventory_hostname }}' }, { delegateTo: '{{ target }}', register: 'r' }),
      task('run', { cmd: 'got {{ r.stdout }}' }),
    ]),
  );
  for (const p of pb.plays) p.vars = { target: 'c' };
  const { result } = await go(pb, c);
  t.deepEqual(
    c
      .host('c')
      .execs.filter((x) => x.includes('for'))
      .sort(),
    ["sh -c 'for a'", "sh -c 'for b'", "sh -c 'for c'"],
  );
  t.deepEqual(c.host('a').execs, ["sh -c 'got ran on c'"]);
  t.like(result.recap.toJSON().a, { changed: 2 });
});

test('delegate_to a host outside the inventory fails that task, naming it', async (t) => {
  const c = new FakeConnector();
  const pb = book(play('all', [task('run', { cmd: 'x' }, { delegateTo: 'elsewhere' })]));
  const { result, events } = await go(pb, c);
  t.is(result.exitCode, 2);
  t.regex(ends(events)[0]!.message!, /delegate_to: "elsewhere" is not in the inventory/);
});
