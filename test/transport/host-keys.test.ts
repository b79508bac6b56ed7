// Host key checking against a real sshd: plain and hashed entries, mismatch, unknown, accept-new, off.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sh } from '../../src/command.js';
import { HostKeyError } from '../../src/errors.js';
import { connectionOf } from '../../src/transport/connection.js';
import { fingerprintOf } from '../../src/transport/known-hosts.js';
import { connectSsh, type SshOptions } from '../../src/transport/ssh.js';
import { startSshd, type Sshd } from '../helpers/sshd.js';
import { sshdAvailable, sshTest, varsWithoutKnownHosts } from './util.js';

let sshd: Sshd;
let work = '';
let n = 0;

test.before(async () => {
  if (!sshdAvailable) return;
  work = mkdtempSync(join(tmpdir(), 'stackplay-hk-'));
  sshd = await startSshd();
});
test.after.always(async () => {
  await sshd?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

const file = (text: string): string => {
  const f = join(work, `known_hosts_${n++}`);
  writeFileSync(f, text);
  return f;
};

/** Connects with explicit known_hosts options (the host's own UserKnownHostsFile argument removed). */
async function connect(o: SshOptions, vars: Record<string, unknown> = {}) {
  const conn = connectionOf(
    { name: 'node1', groups: [], vars: { ...varsWithoutKnownHosts(sshd), ...vars } },
    { sshConfigFile: null },
  );
  const ssh = await connectSsh(conn, o);
  const out = await ssh.exec(sh`echo connected`);
  await ssh.close();
  return out.stdout;
}

const serverBlob = () => Buffer.from(sshd.hostKeyPublic.split(' ')[1]!, 'base64');
const otherKey = (): string => {
  const f = join(work, `other_${n++}`);
  spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', f]);
  return readFileSync(`${f}.pub`, 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');
};

sshTest('a plain known_hosts entry matches', async (t) => {
  t.is(await connect({ knownHostsFiles: [sshd.knownHostsFile] }), 'connected\n');
});

sshTest('a hashed known_hosts entry (ssh-keygen -H) matches', async (t) => {
  const f = file(readFileSync(sshd.knownHostsFile, 'utf8'));
  t.is(spawnSync('ssh-keygen', ['-H', '-f', f]).status, 0);
  t.true(readFileSync(f, 'utf8').startsWith('|1|'));
  t.is(await connect({ knownHostsFiles: [f] }), 'connected\n');
});

sshTest('the UserKnownHostsFile from inventory vars is used (strict by default)', async (t) => {
  const conn = connectionOf({ name: 'node1', groups: [], vars: sshd.inventoryVars() }, { sshConfigFile: null });
  const ssh = await connectSsh(conn, { knownHostsFiles: [] });
  t.is((await ssh.exec(sh`echo ok`)).stdout, 'ok\n');
  await ssh.close();
});

sshTest('a changed host key is refused with host, key type, fingerprint and file:line', async (t) => {
  const f = file(`# header\n[127.0.0.1]:${sshd.port} ${otherKey()}\n`);
  const e = await t.throwsAsync(connect({ knownHostsFiles: [f] }), { instanceOf: HostKeyError });
  t.is(e?.host, 'node1');
  t.is(e?.code, 'E_UNREACHABLE');
  t.true(
    e?.message.startsWith(
      `host key for 127.0.0.1:${sshd.port} (node1) has CHANGED: the server offers ssh-ed25519 ${fingerprintOf(serverBlob())}, which does not match the key at ${f}:2.`,
    ),
    e?.message,
  );
});

sshTest('an unknown host key is refused in strict mode and nothing is written', async (t) => {
  const write = join(work, `write_${n++}`);
  const e = await t.throwsAsync(
    connect({ hostKeyChecking: 'strict', knownHostsFiles: [file('')], knownHostsWriteFile: write }),
    { instanceOf: HostKeyError },
  );
  t.regex(
    e?.message ?? '',
    new RegExp(
      `host key for 127\\.0\\.0\\.1:${sshd.port} \\(node1\\) is not known: ssh-ed25519 ${fingerprintOf(serverBlob()).replace(/[+/]/g, '\\$&')}`,
    ),
  );
  t.false(existsSync(write));
});

sshTest('accept-new records the key in the stackplay file only, and then it matches in strict mode', async (t) => {
  const userFile = file('');
  const write = join(work, `write_${n++}`);
  t.is(
    await connect({ hostKeyChecking: 'accept-new', knownHostsFiles: [userFile], knownHostsWriteFile: write }),
    'connected\n',
  );
  t.is(readFileSync(userFile, 'utf8'), '');
  t.is(readFileSync(write, 'utf8'), `[127.0.0.1]:${sshd.port} ${sshd.hostKeyPublic}\n`);
  t.is(
    await connect({ hostKeyChecking: 'strict', knownHostsFiles: [userFile], knownHostsWriteFile: write }),
    'connected\n',
  );
});

sshTest('accept-new can write hashed entries', async (t) => {
  const write = join(work, `write_${n++}`);
  t.is(
    await connect({
      hostKeyChecking: 'accept-new',
      knownHostsFiles: [],
      knownHostsWriteFile: write,
      hashKnownHosts: true,
    }),
    'connected\n',
  );
  t.regex(readFileSync(write, 'utf8'), /^\|1\|/);
  t.is(spawnSync('ssh-keygen', ['-F', `[127.0.0.1]:${sshd.port}`, '-f', write]).status, 0);
});

sshTest('accept-new refuses a changed key and does not overwrite it', async (t) => {
  const text = `[127.0.0.1]:${sshd.port} ${otherKey()}\n`;
  const write = file(text);
  await t.throwsAsync(connect({ hostKeyChecking: 'accept-new', knownHostsFiles: [], knownHostsWriteFile: write }), {
    instanceOf: HostKeyError,
    message: /has CHANGED/,
  });
  t.is(readFileSync(write, 'utf8'), text);
});

sshTest('StrictHostKeyChecking=no in the host args turns checking off for that host', async (t) => {
  const f = file(`[127.0.0.1]:${sshd.port} ${otherKey()}\n`);
  t.is(
    await connect({ knownHostsFiles: [f] }, { ansible_ssh_common_args: '-o StrictHostKeyChecking=no' }),
    'connected\n',
  );
  t.is(await connect({ knownHostsFiles: [f], hostKeyChecking: 'off' }), 'connected\n');
});

sshTest('a host known only by its ECDSA key is asked for that key type, as ssh(1) does', async (t) => {
  const ecdsa = join(work, 'host_ecdsa');
  spawnSync('ssh-keygen', ['-q', '-t', 'ecdsa', '-N', '', '-f', ecdsa]);
  const both = await startSshd({ config: [`HostKey ${ecdsa}`] });
  t.teardown(() => both.stop());
  const ecdsaPublic = readFileSync(`${ecdsa}.pub`, 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');
  const f = file(`[127.0.0.1]:${both.port} ${ecdsaPublic}\n`);
  const conn = connectionOf(
    { name: 'node2', groups: [], vars: { ...varsWithoutKnownHosts(both) } },
    { sshConfigFile: null },
  );
  const ssh = await connectSsh(conn, { knownHostsFiles: [f] });
  t.is((await ssh.exec(sh`echo ok`)).stdout, 'ok\n');
  await ssh.close();
});
