// Shared bits of the transport tests: sshd-gated test registration, hosts for a test sshd, polling.
import test, { type ExecutionContext } from 'ava';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ResolvedHost } from '../../src/inventory/types.js';
import { connectionOf } from '../../src/transport/connection.js';
import { connectSsh, type SshOptions, type SshTransport } from '../../src/transport/ssh.js';
import { descendantsOf } from '../helpers/procs.js';
import { canRunSshd, whyNoSshd, type Sshd } from '../helpers/sshd.js';
import { waitUntil } from '../helpers/wait.js';
import { makeControllerFile, sha256OfFile } from '../helpers/controller-file.js';
import type { ControllerFile, Transport } from '../../src/transport/types.js';

export { waitUntil };

export const sshdAvailable = canRunSshd();

/** test when a real sshd can run; otherwise skipped, with one test logging why. */
export const sshTest = sshdAvailable ? test : test.skip;
export const sshSerial = sshdAvailable ? test.serial : test.skip;
if (!sshdAvailable) {
  test('ssh tests are skipped on this machine', (t) => {
    t.log(`skipping tests against a real sshd: ${whyNoSshd()}`);
    t.pass();
  });
}

export const hostOf = (sshd: Sshd, vars: Record<string, unknown> = {}, name = 'node1'): ResolvedHost => ({
  name,
  groups: [],
  vars: { ...sshd.inventoryVars(), ...vars },
});

/** Vars without the UserKnownHostsFile argument, for tests that pick known_hosts files themselves. */
export function varsWithoutKnownHosts(sshd: Sshd): Record<string, string> {
  const { ansible_ssh_common_args: _args, ...vars } = sshd.inventoryVars();
  return vars;
}

export const connectTo = (sshd: Sshd, vars: Record<string, unknown> = {}, o: SshOptions = {}): Promise<SshTransport> =>
  connectSsh(connectionOf(hostOf(sshd, vars), { sshConfigFile: null }), { knownHostsFiles: [], ...o });

/** PIDs of processes whose command line contains `needle` (to check that something was killed). */
export function processesWith(needle: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ').includes(needle))
        found.push(Number(entry));
    } catch {
      /* gone */
    }
  }
  return found;
}

/** Waits until a process under `pid` (a test sshd) runs exactly `cmdline`: the command a test is about to cut off has started. */
export const startedUnder = (pid: number, cmdline: string): Promise<boolean> =>
  waitUntil(() =>
    descendantsOf(pid).some((p) => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0').join(' ').trim() === cmdline;
      } catch {
        return false;
      }
    }),
  );

export const leftovers = (dir: string): string[] => readdirSync(dir).filter((f) => f.includes('.stackplay-'));

export type T = ExecutionContext;

/**
 * Writes a real controller file of `size` bytes through `transport` (mode 0640) and checks it
 * arrived whole; then a plan made before the file changed (`stale`) must fail with the target untouched.
 */
export async function checkStreamedWrite(
  t: ExecutionContext,
  transport: Transport,
  dir: string,
  size: number,
  stale: (f: ControllerFile) => ControllerFile,
): Promise<void> {
  const source = makeControllerFile(join(dir, 'source.bin'), size);
  const target = join(dir, 'copy.bin');
  await transport.write(target, source, { mode: '0640' });
  t.is(await sha256OfFile(target), source.sha256);
  t.is(statSync(target).mode & 0o777, 0o640);
  await t.throwsAsync(transport.write(target, stale(source)), {
    message: /changed on the controller since it was planned/,
  });
  t.is(await sha256OfFile(target), source.sha256, 'the target is untouched');
  t.deepEqual(leftovers(dir), []);
}
