// Round trips to connect and run a first command, counted by the bench's delaying proxy: the signed key goes at once, behind the service request; the first command rides with the shell's start.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sh } from '../../src/command.js';
import { connectionOf } from '../../src/transport/connection.js';
import { connectSsh } from '../../src/transport/ssh.js';
import { startSshd, type Sshd } from '../helpers/sshd.js';
import { hostOf, sshdAvailable, sshTest, waitUntil } from './util.js';

const PROXY = fileURLToPath(new URL('../../bench/delay-proxy.ts', import.meta.url));
// Long enough that each turn of the conversation is its own chunk on a busy machine; the count, not the time, is checked.
const RTT_MS = 60;

let ed25519: Sshd;
let rsa: Sshd;
let work = '';

test.before(async () => {
  if (!sshdAvailable) return;
  work = mkdtempSync(join(tmpdir(), 'stackplay-rt-connect-'));
  const rsaKey = join(work, 'id_rsa');
  const made = spawnSync('ssh-keygen', ['-q', '-t', 'rsa', '-b', '2048', '-N', '', '-f', rsaKey], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`ssh-keygen: ${made.stderr}`);
  [ed25519, rsa] = await Promise.all([startSshd(), startSshd({ userKeyFile: rsaKey })]);
});
test.after.always(async () => {
  await Promise.all([ed25519?.stop(), rsa?.stop()]);
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Connects through the counting proxy, runs one command, closes; returns the round trips the proxy counted. */
async function tripsToRunOne(sshd: Sshd, name: string): Promise<{ trips: number; stdout: string }> {
  const dir = join(work, name);
  const proxy = `${process.execPath} --import tsx ${PROXY} ${RTT_MS} ${dir} -- socat - TCP:%h:%p`;
  const conn = connectionOf(
    hostOf(sshd, {
      ansible_ssh_common_args: `-o UserKnownHostsFile=${sshd.knownHostsFile} -o ProxyCommand="${proxy}"`,
    }),
    { sshConfigFile: null },
  );
  const ssh = await connectSsh(conn, { knownHostsFiles: [] });
  const r = await ssh.exec(sh`echo first`);
  await ssh.close();
  const counted = () => {
    try {
      return readdirSync(dir).filter((f) => f.endsWith('.json'));
    } catch {
      return [];
    }
  };
  if (!(await waitUntil(() => counted().length === 1))) throw new Error(`the proxy wrote no count in ${dir}`);
  const { roundTrips } = JSON.parse(readFileSync(join(dir, counted()[0]!), 'utf8')) as { roundTrips: number };
  return { trips: roundTrips, stdout: r.stdout };
}

// 1 version exchange, 1 key exchange, 1 service request with the signed public key right behind it
// (ssh2 alone waits for the service accept: one more, and asks before signing: one more), 1 session
// channel, 1 for its exec request and 1 for the command shell's ready line with the first command's
// answer (waiting for the ready line first: one more). 9 before, then 7.
const MOST = 6;

sshTest('connecting and running a first command: at most 6 round trips (an ed25519 key)', async (t) => {
  const { trips, stdout } = await tripsToRunOne(ed25519, 'ed25519');
  t.is(stdout, 'first\n');
  t.true(trips <= MOST, `${trips} round trips`);
  t.log(`${trips} round trips`);
});

sshTest('an RSA key is signed at once too (rsa-sha2 signature), in as many round trips', async (t) => {
  const { trips, stdout } = await tripsToRunOne(rsa, 'rsa');
  t.is(stdout, 'first\n');
  t.true(trips <= MOST, `${trips} round trips`);
});

if (!sshdAvailable) test('connect round trips need sshd (skipped)', (t) => t.pass());
