// Decides whether to trust a server's host key: strict, accept-new or off, with clear refusals.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { HostKeyError } from '../errors.js';
import type { HostKeyChecking } from './connection.js';
import { appendHostKey, checkHostKeyFiles, fingerprintOf, keyTypeOf, knownHostName } from './known-hosts.js';

export interface HostKeyPolicy {
  mode: HostKeyChecking;
  /** Files read, in order (missing files count as empty). */
  files: string[];
  /** The only file accept-new writes to; it is read too. */
  writeFile?: string;
  /** Write hashed entries (`|1|...`). */
  hash?: boolean;
  /** A key already verified for this host on an earlier connection (reconnect to a new address): trusted. */
  pinned?: Buffer;
}

/**
 * known_hosts files a run uses: the user's ~/.ssh/known_hosts (read only) plus stackplay's own
 * file (`file`, else $STACKPLAY_KNOWN_HOSTS, else ~/.local/state/stackplay/known_hosts), the one
 * accept-new writes to.
 */
export function defaultKnownHosts(
  o: { file?: string; env?: Readonly<Record<string, string | undefined>>; home?: string } = {},
): { files: string[]; writeFile: string } {
  const env = o.env ?? process.env;
  const home = o.home ?? homedir();
  const writeFile =
    o.file ??
    env.STACKPLAY_KNOWN_HOSTS ??
    join(env.XDG_STATE_HOME ?? join(home, '.local', 'state'), 'stackplay', 'known_hosts');
  return { files: [join(home, '.ssh', 'known_hosts')], writeFile };
}

const where = (address: string, port: number) => (port === 22 ? address : `${address}:${port}`);

/** Throws HostKeyError unless the key is trusted under the policy; records it under accept-new. */
export function verifyHostKey(
  host: string,
  address: string,
  port: number,
  keyBlob: Buffer,
  policy: HostKeyPolicy,
): void {
  if (policy.mode === 'off') return;
  if (policy.pinned?.equals(keyBlob)) return;
  const keyType = keyTypeOf(keyBlob);
  const fp = fingerprintOf(keyBlob);
  const files =
    policy.writeFile && !policy.files.includes(policy.writeFile) ? [...policy.files, policy.writeFile] : policy.files;
  const status = checkHostKeyFiles(files, address, port, keyType, keyBlob);
  if (status === 'match') return;
  const label = `${where(address, port)}${host !== address ? ` (${host})` : ''}`;
  if (status !== 'unknown') {
    if ('revoked' in status) {
      throw new HostKeyError(
        host,
        `host key for ${label} is REVOKED: ${keyType} ${fp} is marked @revoked at ${status.revoked.file}:${status.revoked.line}; refusing to connect`,
      );
    }
    const { file, line } = status.mismatch;
    throw new HostKeyError(
      host,
      `host key for ${label} has CHANGED: the server offers ${keyType} ${fp}, which does not match the key at ${file}:${line}. ` +
        `If the host was rebuilt, remove that line (ssh-keygen -R '${knownHostName(address, port)}' -f ${file}); otherwise someone may be intercepting the connection`,
    );
  }
  if (policy.mode === 'accept-new' && policy.writeFile) {
    const r = appendHostKey(policy.writeFile, address, port, keyType, keyBlob, { hash: policy.hash ?? false });
    if (r === 'added' || r === 'present') return;
    const at = 'mismatch' in r ? r.mismatch : r.revoked;
    throw new HostKeyError(
      host,
      `host key for ${label} changed while connecting (${keyType} ${fp} differs from ${at.file}:${at.line}); refusing to connect`,
    );
  }
  const searched = files.length ? files.join(', ') : '(no known_hosts files)';
  throw new HostKeyError(
    host,
    `host key for ${label} is not known: ${keyType} ${fp} is in none of ${searched}. ` +
      `Check the fingerprint, then run with --host-key-checking accept-new` +
      (policy.writeFile ? ` or add it: ssh-keyscan -p ${port} -t ${keyType} ${address} >> ${policy.writeFile}` : ''),
  );
}
