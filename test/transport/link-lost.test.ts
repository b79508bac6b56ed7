import { join } from 'node:path';
import { sh } from '../../src/command.js';
import { UnreachableError } from '../../src/errors.js';
import { childrenOf } from '../helpers/procs.js';
import { startSshd } from '../helpers/sshd.js';
import { connectTo, leftovers, sshTest, startedUnder, waitUntil } from './util.js';

/** Freezes the server's per-connection processes (SIGSTOP): packets are no longer answered, the TCP connection stays up. */
function freeze(listener: number, t: { teardown(f: () => void): void }): void {
  const stopped = childrenOf(listener);
  t.teardown(() => {
    for (const p of stopped) {
      try {
        process.kill(p, 'SIGCONT');
        process.kill(p, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  });
  for (const p of stopped) process.kill(p, 'SIGSTOP');
}

const alive = { ansible_ssh_common_args: '-o ServerAliveInterval=1 -o ServerAliveCountMax=2' };

sshTest('an SFTP write in flight when the link freezes fails as unreachable (keepalive), never hangs', async (t) => {
  const sshd = await startSshd();
  t.teardown(() => sshd.stop());
  const tr = await connectTo(sshd, {
    ...alive,
    ansible_ssh_common_args: `${alive.ansible_ssh_common_args} -o UserKnownHostsFile=${sshd.knownHostsFile}`,
  });
  t.teardown(() => tr.close());
  await tr.exec(sh`true`);
  const big = 'x'.repeat(64 * 1024 * 1024);
  const writing = tr.write(join(sshd.dir, 'big.txt'), big);
  t.true(await waitUntil(() => leftovers(sshd.dir).length > 0), 'the write started');
  freeze(sshd.pid, t);
  await t.throwsAsync(writing, { instanceOf: UnreachableError });
});

sshTest('a command in flight when the link freezes fails as unreachable (keepalive), never hangs', async (t) => {
  const sshd = await startSshd();
  t.teardown(() => sshd.stop());
  const tr = await connectTo(sshd, {
    ...alive,
    ansible_ssh_common_args: `${alive.ansible_ssh_common_args} -o UserKnownHostsFile=${sshd.knownHostsFile}`,
  });
  t.teardown(() => tr.close());
  await tr.exec(sh`true`);
  const running = tr.exec(sh`sleep 30`);
  t.true(await startedUnder(sshd.pid, 'sleep 30'), 'the command started');
  freeze(sshd.pid, t);
  await t.throwsAsync(running, { instanceOf: UnreachableError, message: /lost/ });
});

sshTest('a ProxyCommand whose output ends while its input stays open is a lost connection, not a hang', async (t) => {
  const sshd = await startSshd();
  t.teardown(() => sshd.stop());
  // After socat ends (the server closed the TCP connection) the proxy closes its stdout but keeps running.
  const proxy = `-o 'ProxyCommand=socat - TCP:%h:%p; exec 1>&-; sleep 300' -o UserKnownHostsFile=${sshd.knownHostsFile} -o ServerAliveInterval=0`;
  const tr = await connectTo(sshd, { ansible_ssh_common_args: proxy });
  t.teardown(() => tr.close());
  await tr.exec(sh`true`);
  const running = tr.exec(sh`sleep 30`);
  t.true(await startedUnder(sshd.pid, 'sleep 30'), 'the command started');
  for (const p of childrenOf(sshd.pid)) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  await t.throwsAsync(running, { instanceOf: UnreachableError, message: /lost/ });
});
