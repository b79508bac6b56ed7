// command module: words, argv, chdir, creates / removes, stdin, no shell.
import test from 'ava';
import { command } from '../../modules/command.js';
import { applyPlan, planOn } from '../helpers/host-view.js';
import { sandboxTest, Sandbox } from '../helpers/sandbox.js';
import { paramsCase, table } from './macro.js';

table(command, [
  {
    title: 'a line is split into words and each is quoted again',
    params: { cmd: `echo 'a b' "c \\"d\\"" e\\ f` },
    steps: [{ title: `run echo 'a b' 'c "d"' 'e f'`, cmd: `echo 'a b' 'c "d"' 'e f'` }],
  },
  {
    title: 'argv, numbers included',
    params: { argv: ['sleep', 1] },
    steps: [{ title: 'run sleep 1', cmd: 'sleep 1' }],
  },
  {
    title: 'chdir runs in the folder',
    params: { cmd: 'tar xzf x.tgz', chdir: '/opt/my app' },
    steps: [{ title: 'run tar xzf x.tgz', cmd: `cd '/opt/my app' && tar xzf x.tgz` }],
  },
  {
    title: 'creates that exists skips',
    params: { cmd: 'make', creates: '/opt/app' },
    host: { dirs: ['/opt/app'] },
    note: 'skipped: /opt/app exists',
  },
  {
    title: 'creates that is missing runs, and then skips',
    params: { cmd: 'touch /tmp/made', creates: '/tmp/made' },
    steps: ['run touch /tmp/made'],
    converge: true,
    after: (t, host) => t.is(host.file('/tmp/made'), ''),
  },
  {
    title: 'a relative creates is under chdir',
    params: { cmd: 'touch done', chdir: '/opt', creates: 'done' },
    steps: [{ title: 'run touch done', cmd: 'cd /opt && touch done' }],
    converge: true,
    after: (t, host) => t.is(host.file('/opt/done'), ''),
  },
  {
    title: 'removes that is missing skips',
    params: { cmd: 'rm /tmp/x', removes: '/tmp/x' },
    note: 'skipped: /tmp/x does not exist',
  },
  {
    title: 'removes that exists runs, and then skips',
    params: { cmd: 'rm /tmp/x', removes: '/tmp/x' },
    host: { files: { '/tmp/x': '' } },
    steps: ['run rm /tmp/x'],
    converge: true,
  },
  {
    title: 'stdin gets a final newline',
    params: { cmd: 'cat', stdin: 'hello' },
    steps: [{ title: 'run cat', stdin: 'hello\n' }],
  },
  {
    title: 'stdin as given with stdin_add_newline: false',
    params: { cmd: 'cat', stdin: 'hello', stdin_add_newline: false },
    steps: [{ title: 'run cat', stdin: 'hello' }],
  },
]);

sandboxTest('command: shell operators are plain words, not a pipe', async (t) => {
  const host = await Sandbox.open();
  t.teardown(() => host.close());
  const plan = await planOn(command, host.transport, { cmd: 'echo a | wc -l > /tmp/out' });
  t.is(plan.steps[0]?.kind === 'exec' ? plan.steps[0].cmd.text : '', `echo a '|' wc -l '>' /tmp/out`);
  const r = await applyPlan(host.transport, plan);
  t.is(r?.stdout, 'a | wc -l > /tmp/out\n');
  t.is(host.file('/tmp/out'), null);
});

test('command: not idempotent, free-form on cmd', (t) => {
  t.is(command.idempotent, false);
  t.is(command.freeForm, 'cmd');
});

test(paramsCase, command, { cmd: 'ls' }, true);
test(paramsCase, command, {}, /exactly one of cmd or argv/);
test(paramsCase, command, { cmd: 'ls', argv: ['ls'] }, /exactly one of cmd or argv/);
test(paramsCase, command, { cmd: "echo 'oops" }, /unterminated single quote/);
test(paramsCase, command, { cmd: 'ls', chdri: '/tmp' }, /Unrecognized key: "chdri"/);
test(paramsCase, command, { cmd: 'ls', chdir: 'tmp' }, /chdir must be an absolute path/);
