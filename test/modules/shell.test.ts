// shell module: the script runs through a shell, chdir, executable, guards.
import test from 'ava';
import { shell } from '../../modules/shell.js';
import { paramsCase, table } from './macro.js';

table(shell, [
  {
    title: 'pipes and redirections work; the display is the script',
    params: { cmd: 'echo hi | cat > /tmp/out' },
    steps: [
      {
        title: 'run echo hi | cat > /tmp/out',
        cmd: 'echo hi | cat > /tmp/out',
        text: `/bin/sh -c 'echo hi | cat > /tmp/out'`,
      },
    ],
    applyOnly: true,
    after: (t, host) => t.is(host.file('/tmp/out'), 'hi\n'),
  },
  {
    title: 'chdir and executable',
    params: { cmd: 'pwd', chdir: '/opt', executable: '/bin/bash' },
    steps: [{ title: 'run pwd', cmd: 'cd /opt && pwd', text: 'cd /opt && /bin/bash -c pwd' }],
  },
  {
    title: 'a multi-line script is titled by its first line',
    params: { cmd: 'set -e\nkato stop\nkato start\n' },
    steps: ['run set -e …'],
  },
  {
    title: 'creates that exists skips',
    params: { cmd: 'make > /tmp/built', creates: '/tmp/built' },
    host: { files: { '/tmp/built': '' } },
    note: 'skipped: /tmp/built exists',
  },
  {
    title: 'creates that is missing runs, and then skips',
    params: { cmd: 'echo x > /tmp/built', creates: '/tmp/built' },
    steps: ['run echo x > /tmp/built'],
    converge: true,
  },
  {
    title: 'stdin is passed as given',
    params: { cmd: 'cat > /tmp/in', stdin: 'abc' },
    steps: [{ title: 'run cat > /tmp/in', stdin: 'abc' }],
    applyOnly: true,
    after: (t, host) => t.is(host.file('/tmp/in'), 'abc'),
  },
]);

test('shell: not idempotent, free-form on cmd', (t) => {
  t.is(shell.idempotent, false);
  t.is(shell.freeForm, 'cmd');
});

test(paramsCase, shell, { cmd: 'ls | wc -l' }, true);
test(paramsCase, shell, { cmd: '' }, /too small|at least 1/i);
test(paramsCase, shell, { cmd: 'ls', executable: 'bash' }, /executable must be an absolute path/);
