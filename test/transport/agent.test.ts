// Authentication through ssh-agent (SSH_AUTH_SOCK): tried first, before key files.
import test from 'ava';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sh } from '../../src/command.js';
import { UnreachableError } from '../../src/errors.js';
import { startSshd, type Sshd } from '../helpers/sshd.js';
import { connectTo, sshdAvailable, sshSerial, waitUntil } from './util.js';

let sshd: Sshd;
let agent: ChildProcess | undefined;
let work = '';
let sock = '';

test.before(async () => {
  if (!sshdAvailable) return;
  work = mkdtempSync(join(tmpdir(), 'stackplay-agent-'));
  sshd = await startSshd();
  sock = join(work, 'agent.sock');
  agent = spawn('ssh-agent', ['-D', '-a', sock], { stdio: 'ignore' });
  if (!(await waitUntil(() => existsSync(sock)))) throw new Error('ssh-agent did not start');
  const add = spawnSync('ssh-add', [sshd.userKeyFile], {
    env: { ...process.env, SSH_AUTH_SOCK: sock },
    encoding: 'utf8',
  });
  if (add.status !== 0) throw new Error(`ssh-add failed: ${add.stderr}`);
  // This test file runs in its own process, so setting the variable here affects only these tests.
  process.env.SSH_AUTH_SOCK = sock;
});
test.after.always(async () => {
  agent?.kill();
  await sshd?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

// A key file named by a var must exist (a missing one is refused at load): this one exists and is no key.
const notAKey = () => {
  const f = join(work, 'not-a-key');
  writeFileSync(f, 'not a key\n');
  return f;
};

sshSerial('the agent authenticates when the key file given is unusable', async (t) => {
  const ssh = await connectTo(sshd, { ansible_ssh_private_key_file: notAKey() });
  t.teardown(() => ssh.close());
  t.is((await ssh.exec(sh`echo agent`)).stdout, 'agent\n');
});

sshSerial('a failure lists the agent first among what was tried', async (t) => {
  spawnSync('ssh-add', ['-D'], { env: { ...process.env, SSH_AUTH_SOCK: sock } });
  const e = await t.throwsAsync(connectTo(sshd, { ansible_ssh_private_key_file: notAKey() }), {
    instanceOf: UnreachableError,
  });
  t.regex(
    e?.message ?? '',
    /^authentication failed for root@127\.0\.0\.1:\d+ \(tried: agent\); key file .*not-a-key is not a usable private key \(.*\)$/,
  );
});

// The first auth request goes right behind the service request (auth-ahead.ts): when the server refuses it, the next key still gets its turn.
sshSerial(
  'a key the server refuses, offered first by the agent, is followed by the key file, which it takes',
  async (t) => {
    const env = { ...process.env, SSH_AUTH_SOCK: sock };
    const wrong = join(work, 'wrong_key');
    spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', wrong]);
    spawnSync('ssh-add', ['-D'], { env });
    const add = spawnSync('ssh-add', [wrong], { env, encoding: 'utf8' });
    t.is(add.status, 0, add.stderr);
    const ssh = await connectTo(sshd, { ansible_ssh_private_key_file: sshd.userKeyFile });
    t.teardown(() => ssh.close());
    t.is((await ssh.exec(sh`echo second`)).stdout, 'second\n');
  },
);
