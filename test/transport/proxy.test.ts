// ProxyCommand, ProxyJump and the ssh config file against real sshd servers (one inside a netns).
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sh } from '../../src/command.js';
import { UnreachableError } from '../../src/errors.js';
import { connectHost } from '../../src/transport/connect.js';
import { connectionOf } from '../../src/transport/connection.js';
import { connectSsh } from '../../src/transport/ssh.js';
import { startSshd, type Sshd } from '../helpers/sshd.js';
import { hostOf, processesWith, sshdAvailable, sshTest, waitUntil } from './util.js';

let target: Sshd;
let jump: Sshd;
let closedJump: Sshd;
let work = '';
let sshConfig = '';

test.before(async () => {
  if (!sshdAvailable) return;
  work = mkdtempSync(join(tmpdir(), 'stackplay-proxy-'));
  [target, jump, closedJump] = await Promise.all([
    startSshd(),
    startSshd(),
    startSshd({ config: ['AllowTcpForwarding no'] }),
  ]);
  sshConfig = join(work, 'ssh_config');
  const block = (name: string, s: Sshd) =>
    `Host ${name}\n  HostName 127.0.0.1\n  Port ${s.port}\n  User ${s.user}\n  IdentityFile ${s.userKeyFile}\n  UserKnownHostsFile ${s.knownHostsFile}\n`;
  writeFileSync(
    sshConfig,
    [block('jumpbox', jump), block('closedjump', closedJump), block('web-via-config', target)].join('\n'),
  );
});
test.after.always(async () => {
  await Promise.all([target?.stop(), jump?.stop(), closedJump?.stop()]);
  if (work) rmSync(work, { recursive: true, force: true });
});

const withArgs = (s: Sshd, args: string) => ({
  ansible_ssh_common_args: `-o UserKnownHostsFile=${s.knownHostsFile} ${args}`,
});

sshTest('ProxyCommand `socat - TCP:%h:%p` reaches sshd, and the proxy ends with the connection', async (t) => {
  const marker = `-lpstackplay-proxy-${process.pid}`;
  const conn = connectionOf(hostOf(target, withArgs(target, `-o ProxyCommand="socat ${marker} - TCP:%h:%p"`)), {
    sshConfigFile: null,
  });
  t.is(conn.proxyCommand, `socat ${marker} - TCP:%h:%p`);
  const ssh = await connectSsh(conn, { knownHostsFiles: [] });
  t.is((await ssh.exec(sh`echo via proxy`)).stdout, 'via proxy\n');
  t.true(processesWith(marker).length > 0, 'socat is running');
  await ssh.close();
  t.true(await waitUntil(() => processesWith(marker).length === 0), 'socat ended after close()');
});

sshTest('a ProxyCommand that fails is unreachable, with its stderr in the message', async (t) => {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  const conn = connectionOf(hostOf(target, withArgs(target, `-o ProxyCommand="socat - TCP:127.0.0.1:${port}"`)), {
    sshConfigFile: null,
  });
  const e = await t.throwsAsync(connectSsh(conn, { knownHostsFiles: [] }), { instanceOf: UnreachableError });
  t.regex(
    e?.message ?? '',
    new RegExp(
      `ProxyCommand for 127\\.0\\.0\\.1:${target.port} ended \\(exit 1\\) before the SSH session was up: .*Connection refused`,
    ),
  );
});

sshTest('ProxyJump through a second sshd (jump host settings from the ssh config)', async (t) => {
  const defaults = { sshConfigFile: sshConfig };
  const conn = connectionOf(hostOf(target, withArgs(target, '-J jumpbox')), defaults);
  const ssh = await connectSsh(conn, { knownHostsFiles: [], connectionDefaults: defaults });
  t.teardown(() => ssh.close());
  const r = await ssh.exec(sh`echo $SSH_CONNECTION`);
  t.is(r.code, 0);
  t.regex(r.stdout, new RegExp(` 127\\.0\\.0\\.1 ${target.port}\\n$`));
});

sshTest(
  'ProxyJump really goes through the jump host: one that forbids forwarding cannot reach the target',
  async (t) => {
    const defaults = { sshConfigFile: sshConfig };
    const conn = connectionOf(hostOf(target, withArgs(target, '-o ProxyJump=closedjump')), defaults);
    const e = await t.throwsAsync(connectSsh(conn, { knownHostsFiles: [], connectionDefaults: defaults }), {
      instanceOf: UnreachableError,
    });
    t.regex(e?.message ?? '', new RegExp(`^jump host closedjump could not reach 127\\.0\\.0\\.1:${target.port}: `));
  },
);

sshTest('an unreachable jump host is named in the error', async (t) => {
  const conn = connectionOf(hostOf(target, withArgs(target, '-J root@127.0.0.1:1')), { sshConfigFile: null });
  const e = await t.throwsAsync(connectSsh(conn, { knownHostsFiles: [] }), { instanceOf: UnreachableError });
  t.is(e?.message, 'jump host root@127.0.0.1:1: connection refused at 127.0.0.1:1');
});

sshTest('host, port, user, key and known_hosts can all come from the ssh config file', async (t) => {
  const ssh = await connectHost(
    { name: 'web-via-config', groups: [], vars: {} },
    { knownHostsFiles: [], connectionDefaults: { sshConfigFile: sshConfig } },
  );
  t.teardown(() => ssh.close());
  t.is((await ssh.exec(sh`echo from config`)).stdout, 'from config\n');
});

sshTest(
  'sshd in a network namespace: reached by the helper vars (ProxyCommand) and by ProxyJump inside it',
  async (t) => {
    const ns = `spt${process.pid}`;
    const add = spawnSync('ip', ['netns', 'add', ns], { encoding: 'utf8' });
    if (add.status !== 0) {
      t.log(`cannot create a network namespace here (${add.stderr.trim()}); netns part skipped`);
      t.pass();
      return;
    }
    t.teardown(() => {
      spawnSync('ip', ['netns', 'del', ns]);
    });
    spawnSync('ip', ['netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up']);
    const inner = await startSshd({ netns: ns, address: '127.0.0.5', port: 2222 });
    t.teardown(() => inner.stop());
    const nsJump = await startSshd({ netns: ns });
    t.teardown(() => nsJump.stop());

    const viaVars = await connectHost(hostOf(inner), { knownHostsFiles: [] });
    t.teardown(() => viaVars.close());
    t.is((await viaVars.exec(sh`echo inside`)).stdout, 'inside\n');

    // The jump host itself is reached through the namespace (ProxyCommand from the ssh config);
    // the target's address exists only inside the namespace, so only the jump can reach it.
    const cfg = join(work, 'ns_config');
    writeFileSync(
      cfg,
      `Host nsjump\n  HostName 127.0.0.1\n  User ${nsJump.user}\n  IdentityFile ${nsJump.userKeyFile}\n  UserKnownHostsFile ${nsJump.knownHostsFile}\n  ProxyCommand ip netns exec ${ns} socat - TCP:%h:%p\n`,
    );
    const defaults = { sshConfigFile: cfg };
    const vars = { ...inner.inventoryVars(), ...withArgs(inner, '-J nsjump') };
    const conn = connectionOf({ name: 'inner', groups: [], vars }, defaults);
    t.is(conn.proxyCommand, undefined);
    const viaJump = await connectSsh(conn, { knownHostsFiles: [], connectionDefaults: defaults });
    t.teardown(() => viaJump.close());
    t.regex((await viaJump.exec(sh`echo $SSH_CONNECTION`)).stdout, / 127\.0\.0\.5 2222\n$/);
  },
);
