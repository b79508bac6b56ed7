// The server's other host keys (hostkeys-00@openssh.com) are not asked to be proven (no-host-key-proof.ts): sshd's own log says which connections asked.
import test from 'ava';
import { readFileSync } from 'node:fs';
import ssh2 from 'ssh2';
import { sh } from '../../src/command.js';
import { startSshd, type Sshd } from '../helpers/sshd.js';
import { connectTo, sshdAvailable, sshTest, waitUntil } from './util.js';

const PROVE = /rtype hostkeys-prove-00@openssh\.com/g;
const proofs = (sshd: Sshd) => (sshd.log().match(PROVE) ?? []).length;

/** ssh2 as it comes: it asks the server to prove the keys it lists, and is done once they are. */
async function plainClient(sshd: Sshd): Promise<void> {
  const client = new ssh2.Client();
  // 'hostkeys' comes once the server proved them.
  await new Promise<void>((resolve, reject) => {
    client.once('hostkeys', () => resolve());
    client.once('error', reject);
    client.connect({
      host: sshd.host,
      port: sshd.port,
      username: sshd.user,
      privateKey: readFileSync(sshd.userKeyFile),
    });
  });
  return new Promise((resolve) => {
    client.once('close', () => resolve());
    client.end();
  });
}

sshTest('a connection does not ask the server to prove its other host keys; plain ssh2 does', async (t) => {
  // DEBUG: sshd logs each global request it gets.
  const sshd = await startSshd({ logLevel: 'DEBUG' });
  t.teardown(() => sshd.stop());
  await plainClient(sshd);
  t.true(await waitUntil(() => proofs(sshd) === 1), 'plain ssh2 asked for no proof: the check would see nothing');
  const tr = await connectTo(sshd);
  t.is((await tr.exec(sh`echo ran`)).stdout, 'ran\n');
  await tr.close();
  // Each connection's sshd logs its client's disconnect after every request that client sent:
  // once both are there, a proof stackplay asked for would be in the log too.
  t.true(await waitUntil(() => (sshd.log().match(/Received disconnect from/g) ?? []).length >= 2), sshd.log());
  t.is(proofs(sshd), 1, 'stackplay asked for a proof');
});

if (!sshdAvailable) test('host key proof needs sshd (skipped)', (t) => t.pass());
