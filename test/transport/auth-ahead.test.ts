// The auth request right behind the service request (auth-ahead.ts) against ssh2's own server: the RSA key's hash from EXT_INFO, the old way without EXT_INFO.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { connectionOf } from '../../src/transport/connection.js';
import { connectSsh } from '../../src/transport/ssh.js';

let work = '';
test.before(() => {
  work = mkdtempSync(join(tmpdir(), 'stackplay-auth-ahead-'));
  for (const [name, type] of [
    ['host', 'ed25519'],
    ['rsa', 'rsa'],
  ] as const) {
    const made = spawnSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-f', join(work, name)], { encoding: 'utf8' });
    if (made.status !== 0) throw new Error(`ssh-keygen: ${made.stderr}`);
  }
});
test.after.always(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

interface Seen {
  /** Each auth attempt as the server saw it: method, and for a key its algorithm and the signature's hash. */
  attempts: string[];
}

/** An ssh2 server that takes the RSA key and, with `extInfo: false`, sends no EXT_INFO. */
async function serve(o: { extInfo: boolean }): Promise<{ port: number; seen: Seen; close: () => void }> {
  const seen: Seen = { attempts: [] };
  const allowed = ssh2.utils.parseKey(readFileSync(join(work, 'rsa.pub')));
  if (allowed instanceof Error) throw allowed;
  const server = new ssh2.Server({ hostKeys: [readFileSync(join(work, 'host'))] }, (client) => {
    if (!o.extInfo) {
      // ssh2's server sends EXT_INFO from its handshake hook when it is a server: not this once.
      const proto = (
        client as unknown as { _protocol: { _server: boolean; _onHandshakeComplete: (...a: unknown[]) => void } }
      )._protocol;
      const complete = proto._onHandshakeComplete;
      proto._onHandshakeComplete = (...a) => {
        proto._server = false;
        try {
          complete(...a);
        } finally {
          proto._server = true;
        }
      };
    }
    client.on('authentication', (ctx) => {
      if (ctx.method !== 'publickey') {
        seen.attempts.push(ctx.method);
        ctx.reject(['publickey']);
        return;
      }
      seen.attempts.push(`publickey ${ctx.key.algo} ${ctx.signature ? (ctx.hashAlgo ?? 'sha1') : 'query'}`);
      const same = ctx.key.data.equals(allowed.getPublicSSH());
      if (same) ctx.accept();
      else ctx.reject(['publickey']);
    });
    client.on('ready', () => client.end());
    client.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, seen, close: () => server.close() };
}

/** Connects (key auth with the RSA key) and closes. */
async function connect(port: number, name: string): Promise<void> {
  const conn = connectionOf(
    {
      name,
      groups: [],
      vars: {
        ansible_host: '127.0.0.1',
        ansible_port: String(port),
        ansible_user: 'stackplay',
        ansible_ssh_private_key_file: join(work, 'rsa'),
        ansible_ssh_common_args: '-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null',
      },
    },
    { sshConfigFile: null },
  );
  const ssh = await connectSsh(conn, { knownHostsFiles: [] });
  await ssh.close();
}

// ssh2's server sends EXT_INFO only once the client's NEWKEYS has come, beside its service accept, so
// no round trip is saved here (OpenSSH sends it at once: connect-round-trips.test.ts counts that one).
test.serial('with EXT_INFO the RSA key signs with rsa-sha2-256; without EXT_INFO, auth goes as before', async (t) => {
  const withInfo = await serve({ extInfo: true });
  t.teardown(withInfo.close);
  await connect(withInfo.port, 'ext-info');
  // server-sig-algs had been read when the request was made.
  t.deepEqual(withInfo.seen.attempts, ['publickey ssh-rsa sha256']);
  const without = await serve({ extInfo: false });
  t.teardown(without.close);
  await connect(without.port, 'no-ext-info');
  // Without server-sig-algs ssh2 signs with what it must assume (ssh-rsa, sha1), after the service accept.
  t.deepEqual(without.seen.attempts, ['publickey ssh-rsa sha1']);
});
