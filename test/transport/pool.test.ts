// ConnectionPool: one connection per host, failed attempts not cached, a dropped connection reopened, closeAll, reconnect to a new address.
import test from 'ava';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { sh } from '../../src/command.js';
import { HostKeyError, UnreachableError } from '../../src/errors.js';
import { ConnectionPool, connectHost } from '../../src/transport/connect.js';
import type { Transport } from '../../src/transport/types.js';
import { startSshd, type Sshd } from '../helpers/sshd.js';
import { hostOf, sshdAvailable, sshTest } from './util.js';

let sshd: Sshd;
const extra: Sshd[] = [];

test.before(async () => {
  if (!sshdAvailable) return;
  sshd = await startSshd({ config: ['ListenAddress 127.0.0.2'] });
});
test.after.always(async () => {
  await Promise.all([sshd?.stop(), ...extra.map((s) => s.stop())]);
});

const newPool = () => new ConnectionPool({ knownHostsFiles: [], connectionDefaults: { sshConfigFile: null } });
const serverAddress = async (tr: Transport) => (await tr.exec(sh`echo $SSH_CONNECTION`)).stdout.trim().split(' ')[2];

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

sshTest('get() opens one connection per host and shares it, also between concurrent callers', async (t) => {
  const pool = newPool();
  t.teardown(() => pool.closeAll());
  const host = hostOf(sshd);
  const [a, b] = await Promise.all([pool.get(host), pool.get(host)]);
  t.is(a, b);
  t.is(await pool.get(host), a);
  t.not(await pool.get(hostOf(sshd, {}, 'node2')), a, 'another host name gets its own connection');
});

sshTest('a failed connection is not cached: the next get() tries again', async (t) => {
  const pool = newPool();
  t.teardown(() => pool.closeAll());
  const port = await freePort();
  const knownHosts = join(sshd.dir, `known_hosts_${port}`);
  writeFileSync(knownHosts, `[127.0.0.1]:${port} ${sshd.hostKeyPublic}\n`);
  const host = hostOf(sshd, {
    ansible_port: String(port),
    ansible_ssh_common_args: `-o UserKnownHostsFile=${knownHosts}`,
  });
  await t.throwsAsync(pool.get(host), {
    instanceOf: UnreachableError,
    message: `connection refused at 127.0.0.1:${port}`,
  });
  const late = await startSshd({ port, hostKeyFile: sshd.hostKeyFile, userKeyFile: sshd.userKeyFile });
  extra.push(late);
  const tr = await pool.get(host);
  t.is((await tr.exec(sh`echo up`)).stdout, 'up\n');
});

sshTest(
  'a connection that dropped between two uses (sshd restarted, as in a reboot) is opened again by the next get()',
  async (t) => {
    const notices: string[] = [];
    const pool = new ConnectionPool({
      knownHostsFiles: [],
      connectionDefaults: { sshConfigFile: null },
      onReconnect: (host, why) => notices.push(`${host}: ${why}`),
    });
    t.teardown(() => pool.closeAll());
    const port = await freePort();
    const knownHosts = join(sshd.dir, `known_hosts_reboot_${port}`);
    writeFileSync(knownHosts, `[127.0.0.1]:${port} ${sshd.hostKeyPublic}\n`);
    const host = hostOf(
      sshd,
      { ansible_port: String(port), ansible_ssh_common_args: `-o UserKnownHostsFile=${knownHosts}` },
      'rebooted',
    );
    const first = await startSshd({ port, hostKeyFile: sshd.hostKeyFile, userKeyFile: sshd.userKeyFile });
    extra.push(first);
    const before = await pool.get(host);
    t.is((await before.exec(sh`echo one`)).stdout, 'one\n');
    await first.stop();
    while (!before.lostReason?.()) await new Promise((r) => setTimeout(r, 20));
    // Still down: the new attempt fails as unreachable, and is not cached.
    await t.throwsAsync(pool.get(host), { instanceOf: UnreachableError });
    t.deepEqual(notices, [`rebooted: connection to 127.0.0.1:${port} lost`]);
    const second = await startSshd({ port, hostKeyFile: sshd.hostKeyFile, userKeyFile: sshd.userKeyFile });
    extra.push(second);
    const after = await pool.get(host);
    t.not(after, before);
    t.is((await after.exec(sh`echo two`)).stdout, 'two\n');
    t.is(await pool.get(host), after, 'a working connection is shared again');
    t.is(notices.length, 1);
  },
);

sshTest('closeAll() ends every connection', async (t) => {
  const pool = newPool();
  const tr = await pool.get(hostOf(sshd));
  await pool.closeAll();
  await t.throwsAsync(tr.exec(sh`true`), { instanceOf: UnreachableError });
});

sshTest('reconnect() moves the host to a new address, trusting the key it verified before', async (t) => {
  const pool = newPool();
  t.teardown(() => pool.closeAll());
  const host = hostOf(sshd);
  const before = await pool.get(host);
  t.is(await serverAddress(before), '127.0.0.1');
  const after = await pool.reconnect(host, '127.0.0.2', 30);
  t.is(await serverAddress(after), '127.0.0.2');
  t.is(await pool.get(host), after, 'the pool now hands out the new connection');
  await t.throwsAsync(before.exec(sh`true`), { instanceOf: UnreachableError }, 'the old connection was closed');
  // Without the pinned key the new address is unknown to known_hosts:
  await t.throwsAsync(
    connectHost(host, { knownHostsFiles: [], connectionDefaults: { sshConfigFile: null } }, { address: '127.0.0.2' }),
    { instanceOf: HostKeyError, message: /not known/ },
  );
});

sshTest('reconnect() keeps trying until the host answers at its new address', async (t) => {
  const pool = newPool();
  t.teardown(() => pool.closeAll());
  const host = hostOf(sshd);
  await pool.get(host);
  const moving = pool.reconnect(host, '127.0.0.3', 60);
  await new Promise((r) => setTimeout(r, 1500));
  // The same machine (same host key) comes up on the new address, same port.
  const moved = await startSshd({
    address: '127.0.0.3',
    port: sshd.port,
    hostKeyFile: sshd.hostKeyFile,
    userKeyFile: sshd.userKeyFile,
  });
  extra.push(moved);
  t.is(await serverAddress(await moving), '127.0.0.3');
});

sshTest('reconnect() refuses a different machine at the new address at once', async (t) => {
  const pool = newPool();
  t.teardown(() => pool.closeAll());
  const host = hostOf(sshd);
  await pool.get(host);
  const impostor = await startSshd({ address: '127.0.0.4', port: sshd.port, userKeyFile: sshd.userKeyFile });
  extra.push(impostor);
  await t.throwsAsync(pool.reconnect(host, '127.0.0.4', 60), { instanceOf: HostKeyError });
});

sshTest('reconnect() gives up after its timeout with the last reason', async (t) => {
  const pool = newPool();
  t.teardown(() => pool.closeAll());
  const host = hostOf(sshd);
  await pool.get(host);
  const e = await t.throwsAsync(pool.reconnect(host, '127.0.0.6', 1), { instanceOf: UnreachableError });
  t.is(e?.message, `could not reconnect to node1 at 127.0.0.6 within 1s: connection refused at 127.0.0.6:${sshd.port}`);
});
