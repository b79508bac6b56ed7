// The host view module tests get is the engine's: facts memoised per view, rendering and conditions in the
// playbook language, controller files from the playbook folder, no host for controller-only modules.
import test from 'ava';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FactError } from '../../src/errors.js';
import { readOnly, sh } from '../../src/sdk.js';
import { localTransport } from '../../src/transport/local.js';
import { applyPlan, hostViewOf, playbookFolder } from '../helpers/host-view.js';

// The pid of the shell that ran the probe: a new value for every command actually run.
const pid = { name: 'pid', command: () => readOnly(sh`echo $$`), parse: (o: { stdout: string }) => o.stdout.trim() };

test('facts are memoised per view: one command per fact and arguments', async (t) => {
  const host = localTransport('local');
  const view = hostViewOf(host, { a: 1 });
  const first = await view.fact(pid);
  t.regex(first, /^[0-9]+$/);
  t.is(await view.fact(pid), first);
  t.not(await hostViewOf(host).fact(pid), first);
});

test('a fact whose parse throws fails the host, naming the fact, its command and the output', async (t) => {
  const view = hostViewOf(localTransport('local'));
  const bad = {
    ...pid,
    parse: () => {
      throw new Error('no pid');
    },
  };
  const e = await t.throwsAsync(view.fact(bad), { instanceOf: FactError });
  t.regex(e?.message ?? '', /fact pid \(echo \$\$\): no pid\nexit 0, output: "[0-9]+\\n"/);
});

test('a controller-only module gets no host: a fact or a read fails clearly', async (t) => {
  const view = hostViewOf(undefined, {});
  await t.throwsAsync(async () => view.fact(pid), { instanceOf: FactError, message: /controller-only module/ });
  await t.throwsAsync(async () => view.read('/etc/hostname'), { instanceOf: FactError });
});

test('render is strict and does not escape; controller files come from the playbook folder', async (t) => {
  const playbook = playbookFolder({ 'templates/x.hbs': 'hi {{name}}' });
  t.teardown(playbook.remove);
  const view = hostViewOf(undefined, { name: 'a&b' }, { playbookDir: playbook.dir });
  t.is(view.render(await view.readLocal('templates/x.hbs'), 'x.hbs'), 'hi a&b');
  t.throws(() => view.render('{{missing}}', 'x.hbs'), { message: /undefined variable "missing"/ });
  await t.throwsAsync(view.readLocal('nope'), { message: /^cannot read \/\S+\/nope: no such file$/ });
});

test("applyPlan runs the engine's steps: write, exec with stdin, reconnect; a failing step throws", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'stackplay-apply-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const host = localTransport('local');
  const last = await applyPlan(host, {
    steps: [
      { kind: 'write', title: 'w', path: join(dir, 'a'), before: null, content: 'A', mode: '0600' },
      { kind: 'exec', title: 'e', cmd: sh`cat > ${join(dir, 'b')}; echo done`, stdin: 'B' },
      { kind: 'reconnect', title: 'r', address: '10.0.0.9' },
    ],
  });
  t.is(last?.stdout, 'done\n');
  t.is(readFileSync(join(dir, 'a'), 'utf8'), 'A');
  t.is(statSync(join(dir, 'a')).mode & 0o777, 0o600);
  t.is(readFileSync(join(dir, 'b'), 'utf8'), 'B');
  await t.throwsAsync(applyPlan(host, { steps: [{ kind: 'exec', title: 'boom', cmd: sh`false` }] }), {
    message: /^boom: exit 1/,
  });
  await t.notThrowsAsync(
    applyPlan(host, { steps: [{ kind: 'exec', title: 'ok 1', cmd: sh`exit 1`, okCodes: [0, 1] }] }),
  );
  await t.throwsAsync(applyPlan(host, { steps: [], fail: 'nope' }), { message: /plan failed: nope/ });
});

const cond = test.macro((t, expr: string, vars: Record<string, unknown>, want: boolean | RegExp) => {
  const view = hostViewOf(undefined, vars);
  if (want instanceof RegExp) t.throws(() => view.test(expr), { message: want });
  else t.is(view.test(expr), want);
});
test('condition: defined', cond, 'x is defined', { x: 1 }, true);
test('condition: not defined short-circuits', cond, 'x is not defined or x == 1', {}, true);
test('condition: and short-circuits', cond, 'x is defined and x.y == 2', {}, false);
test('condition: nested and in', cond, "a.b in [1, 'two'] and not c", { a: { b: 'two' }, c: false }, true);
test(
  'condition: not in and filters',
  cond,
  "flag | bool and items | length > 1 and 'z' not in items",
  { flag: 'yes', items: ['a', 'b'] },
  true,
);
test('condition: undefined name throws', cond, 'y == 1', {}, /undefined variable "y"/);
test('condition: comparison and parentheses', cond, '(n >= 3 or n < 0) and n != 4', { n: 5 }, true);
