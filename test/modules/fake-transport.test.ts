// The fake transport's own contract: scripted answers, failures, check-mode accounting, call log.
import test from 'ava';
import { readOnly, sh } from '../../src/sdk.js';
import { CheckModeViolation, HostKeyError, UnreachableError } from '../../src/errors.js';
import { FakeTransport } from '../helpers/fake-transport.js';
import { applyPlan, evaluate, hostViewOf } from '../helpers/fake-host-view.js';

const run = (f: FakeTransport, text: string, ro = false) => f.exec({ text, display: text, readOnly: ro });

test('scripted answers win over the interpreter, newest first, and can be limited', async (t) => {
  const f = new FakeTransport('h');
  f.on('kato status', { stdout: 'old' });
  f.on(/^kato status$/, { stdout: 'new\n' }, { times: 1 });
  t.is((await run(f, 'kato status')).stdout, 'new\n');
  t.is((await run(f, 'kato status')).stdout, 'old');
  f.on(
    (text) => text.startsWith('echo'),
    (text, stdin) => ({ code: 4, stdout: `${text}|${stdin}` }),
  );
  t.deepEqual(await f.exec(sh`echo hi`, { stdin: 'in' }), {
    code: 4,
    signal: null,
    stdout: 'echo hi|in',
    stderr: '',
    ms: 0,
  });
});

test('programs run inside scripts with argv and stdin; unknown ones exit 127', async (t) => {
  const f = new FakeTransport('h').program('kato', (args, io) => ({ stdout: `${args.join(',')}:${io.stdin}` }));
  t.is((await f.exec(sh`echo x | kato node attach ${'10.0.0.1'}`)).stdout, 'node,attach,10.0.0.1:x\n');
  const r = await run(f, 'nosuch --flag');
  t.is(r.code, 127);
  t.regex(r.stderr, /nosuch: not found/);
});

test('a for loop runs its body once per word (no globbing in the fake)', async (t) => {
  const r = await run(new FakeTransport('h'), 'for i in 1 "2 3" /x*; do echo "[$i]"; done; echo "$i"');
  t.is(r.stdout, '[1]\n[2 3]\n[/x*]\n/x*\n');
});

test('unsupported syntax is reported, not guessed', async (t) => {
  const r = await run(new FakeTransport('h'), 'case x in x) echo yes;; esac');
  t.is(r.code, 2);
  t.regex(r.stderr, /fake-shell: unsupported: case/);
});

test('fail() makes every later call throw UnreachableError (or HostKeyError), recover() ends it', async (t) => {
  const f = new FakeTransport('web1');
  await run(f, 'true');
  f.fail('unreachable', { afterCalls: 1 });
  await run(f, 'true');
  await t.throwsAsync(run(f, 'true'), { instanceOf: UnreachableError, message: /web1/ });
  await t.throwsAsync(f.read('/etc/hosts'), { instanceOf: UnreachableError });
  f.fail('hostkey');
  await t.throwsAsync(f.write('/tmp/x', 'x'), { instanceOf: HostKeyError });
  f.recover();
  t.is((await run(f, 'true')).code, 0);
});

test('read-only mode refuses and counts writes and commands not marked readOnly', async (t) => {
  const f = new FakeTransport('h', { readOnly: true, files: { '/etc/a': 'a' } });
  t.is((await f.exec(readOnly(sh`cat /etc/a`))).stdout, 'a');
  await t.throwsAsync(f.exec(sh`rm /etc/a`), { instanceOf: CheckModeViolation });
  await t.throwsAsync(f.write('/etc/a', 'b'), { instanceOf: CheckModeViolation });
  t.is(f.readOnlyViolations, 2);
  t.is(f.file('/etc/a'), 'a');
});

test('a readOnly command that changes the filesystem is counted as a violation', async (t) => {
  const f = new FakeTransport('h');
  await f.exec(readOnly(sh`touch /tmp/x`));
  t.is(f.readOnlyViolations, 1);
  t.regex(f.violations[0]!, /readOnly command changed the host: touch \/tmp\/x/);
});

test('calls are logged; write() sets the mode and, with a login user, the owner', async (t) => {
  const f = new FakeTransport('h', { user: 'stackato', files: { '/etc/x': { content: 'old', mode: '0600' } } });
  await f.write('/etc/x', 'new');
  t.is(f.fs.stat('/etc/x')?.type === 'file' && f.fs.stat('/etc/x')?.owner, 'stackato');
  t.like(f.fs.lstat('/etc/x'), { mode: 0o644 });
  await f.write('/etc/y', 'y', { mode: '0640' });
  t.like(f.fs.lstat('/etc/y'), { mode: 0o640, content: 'y' });
  await f.read('/etc/none');
  await run(f, 'true');
  t.deepEqual(
    f.calls.map((c) => c.kind),
    ['write', 'write', 'read', 'exec'],
  );
  t.deepEqual(f.commands(), ['true']);
  await t.throwsAsync(f.write('/no/dir/file', 'x'), { message: /No such file/ });
});

test('listen() opens ports for /dev/tcp probes; sleep advances the clock', async (t) => {
  const f = new FakeTransport('h', { listening: ['10.0.0.5:22'] });
  const probe = (host: string, port: number) => f.exec(sh`bash -c 'exec 3<>"/dev/tcp/$1/$2"' x ${host} ${port}`);
  t.is((await probe('10.0.0.5', 22)).code, 0);
  t.is((await probe('10.0.0.6', 22)).code, 1);
  f.listen(80);
  t.is((await probe('anything', 80)).code, 0);
  const before = f.clock.now;
  await run(f, 'sleep 5; sleep 2');
  t.is(f.clock.now, before + 7);
});

test('close() is logged and later use throws', async (t) => {
  const f = new FakeTransport('h');
  await f.close();
  t.true(f.closed);
  await t.throwsAsync(run(f, 'true'), { message: /after close/ });
});

test('hostViewOf memoises facts per view and refuses facts that are not readOnly', async (t) => {
  const f = new FakeTransport('h');
  let n = 0;
  f.on('probe', () => ({ stdout: String(++n) }));
  const fact = { name: 'p', command: () => readOnly(sh`probe`), parse: (o: { stdout: string }) => o.stdout };
  const view = hostViewOf(f, { a: 1 });
  t.is(await view.fact(fact), '1');
  t.is(await view.fact(fact), '1');
  t.is(await hostViewOf(f).fact(fact), '2');
  t.throws(() => view.fact({ ...fact, command: () => sh`probe` }), { message: /not marked readOnly/ });
});

test('hostViewOf renders strictly without escaping and reads local files from memory', async (t) => {
  const view = hostViewOf(new FakeTransport('h'), { name: 'a&b' }, { local: { 'x.hbs': 'hi {{name}}' } });
  t.is(view.render(await view.readLocal('x.hbs'), 'x.hbs'), 'hi a&b');
  t.throws(() => view.render('{{missing}}', 'x.hbs'), { message: /"missing" not defined/ });
  await t.throwsAsync(view.readLocal('nope'), { message: /ENOENT/ });
});

test('applyPlan runs exec and write steps and throws on a failing step', async (t) => {
  const f = new FakeTransport('h');
  await applyPlan(f, {
    steps: [
      { kind: 'write', title: 'w', path: '/tmp/a', before: null, after: 'A', mode: '0600' },
      { kind: 'exec', title: 'e', cmd: sh`cat > /tmp/b`, stdin: 'B' },
      { kind: 'reconnect', title: 'r', address: '10.0.0.9' },
    ],
  });
  t.like(f.fs.lstat('/tmp/a'), { content: 'A', mode: 0o600 });
  t.is(f.file('/tmp/b'), 'B');
  await t.throwsAsync(applyPlan(f, { steps: [{ kind: 'exec', title: 'boom', cmd: sh`false` }] }), {
    message: /step "boom" failed with exit 1/,
  });
  await applyPlan(f, { steps: [{ kind: 'exec', title: 'ok 1', cmd: sh`exit 1`, okCodes: [0, 1] }] });
});

const cond = test.macro((t, expr: string, vars: Record<string, unknown>, want: boolean | RegExp) => {
  if (want instanceof RegExp) t.throws(() => evaluate(expr, vars), { message: want });
  else t.is(evaluate(expr, vars), want);
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
test('condition: undefined name throws', cond, 'y == 1', {}, /'y' is undefined/);
test('condition: comparison and parentheses', cond, '(n >= 3 or n < 0) and n != 4', { n: 5 }, true);
