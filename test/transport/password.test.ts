// Password authentication, against an in-process ssh2 server on loopback (no root or system user needed).
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { sh } from '../../src/command.js';
import { UnreachableError } from '../../src/errors.js';
import { connectionOf } from '../../src/transport/connection.js';
import { connectSsh } from '../../src/transport/ssh.js';

const dir = mkdtempSync(join(tmpdir(), 'stackplay-pw-'));
spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'host')]);
const tried: string[] = [];

const server = new ssh2.Server({ hostKeys: [readFileSync(join(dir, 'host'))] }, (client) => {
  client.on('authentication', (ctx) => {
    tried.push(ctx.method);
    if (ctx.method === 'password' && ctx.username === 'alice' && ctx.password === 'correct horse') ctx.accept();
    else ctx.reject(['password']);
  });
  client.on('ready', () => {
    client.on('session', (accept) => {
      accept().once('exec', (acceptExec, _reject, info) => {
        const stream = acceptExec();
        stream.write(`ran: ${info.command}\n`);
        stream.exit(0);
        stream.end();
      });
    });
  });
  client.on('error', () => {
    /* the client went away */
  });
});
let port = 0;

test.before(
  () =>
    new Promise<void>((resolve) => {
      server.listen(0, '127.0.0.1', () => {
        port = (server.address() as { port: number }).port;
        resolve();
      });
    }),
);
test.after.always(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

// Keeps the machine's own keys out of it: a key file that exists (a missing one is refused at load) and is no key.
const unusableKey = join(dir, 'not-a-key');

const connect = (password: string) => {
  writeFileSync(unusableKey, 'not a key\n');
  const conn = connectionOf(
    {
      name: 'pw1',
      groups: [],
      vars: {
        ansible_host: '127.0.0.1',
        ansible_port: String(port),
        ansible_user: 'alice',
        ansible_password: password,
        ansible_ssh_private_key_file: unusableKey,
      },
    },
    { sshConfigFile: null },
  );
  return connectSsh(conn, { hostKeyChecking: 'off', knownHostsFiles: [] });
};

test.serial('a password from ansible_password logs in', async (t) => {
  const ssh = await connect('correct horse');
  t.teardown(() => ssh.close());
  // This server echoes the exec request, which starts with the start mark's printf (see login-noise.ts).
  t.regex((await ssh.exec(sh`uptime`)).stdout, /^ran: printf .*; uptime\n$/);
});

test.serial('a wrong password is an authentication failure that never shows the password', async (t) => {
  tried.length = 0;
  const e = await t.throwsAsync(connect('battery staple'), { instanceOf: UnreachableError });
  t.regex(
    e?.message ?? '',
    new RegExp(`^authentication failed for alice@127\\.0\\.0\\.1:${port} \\(tried: password\\)`),
  );
  t.false(e?.message.includes('battery'));
  t.deepEqual(tried, ['password'], 'keyboard-interactive is skipped when the server does not offer it');
});
