// known_hosts files: parse plain and hashed entries, check a host key, record new keys (accept-new).
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync } from 'node:fs';
import { readInputText } from '../load/input-file.js';
import { dirname } from 'node:path';
import { matchesPatternList } from './host-pattern.js';

export interface KnownHostEntry {
  file: string;
  line: number;
  marker?: 'revoked' | 'cert-authority';
  /** Plain host patterns (`a,b,[c]:2222,!d`); absent for hashed entries. */
  patterns?: string[];
  hashed?: { salt: Buffer; hash: Buffer };
  keyType: string;
  keyBlob: Buffer;
}

export type HostKeyStatus =
  | 'match'
  | 'unknown'
  | { mismatch: { file: string; line: number } }
  | { revoked: { file: string; line: number } };

/** How a host is written in known_hosts: `host` for port 22, `[host]:port` otherwise. */
export const knownHostName = (host: string, port: number): string => (port === 22 ? host : `[${host}]:${port}`);

/** OpenSSH's fingerprint form: `SHA256:` and unpadded base64. */
export const fingerprintOf = (keyBlob: Buffer): string =>
  `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;

/** The key type written inside a public key blob (its first SSH string), e.g. `ssh-ed25519`. */
export function keyTypeOf(keyBlob: Buffer): string {
  if (keyBlob.length < 4) throw new Error('host key blob is too short');
  const len = keyBlob.readUInt32BE(0);
  if (len > keyBlob.length - 4) throw new Error('host key blob is malformed');
  return keyBlob.subarray(4, 4 + len).toString('latin1');
}

/** Parses known_hosts text; lines that cannot be read are skipped, as ssh(1) does. */
export function parseKnownHosts(text: string, file: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  text.split('\n').forEach((raw, i) => {
    const fields = raw.trim().split(/\s+/);
    if (fields[0] === undefined || fields[0] === '' || fields[0].startsWith('#')) return;
    let marker: KnownHostEntry['marker'];
    if (fields[0] === '@revoked' || fields[0] === '@cert-authority')
      marker = fields.shift()!.slice(1) as KnownHostEntry['marker'];
    const [hosts, keyType, key] = fields;
    if (!hosts || !keyType || !key) return;
    const entry: KnownHostEntry = { file, line: i + 1, keyType, keyBlob: Buffer.from(key, 'base64') };
    if (marker) entry.marker = marker;
    const hashed = /^\|1\|([^|]+)\|([^|]+)$/.exec(hosts);
    if (hashed) entry.hashed = { salt: Buffer.from(hashed[1]!, 'base64'), hash: Buffer.from(hashed[2]!, 'base64') };
    else entry.patterns = hosts.split(',');
    entries.push(entry);
  });
  return entries;
}

/** Whether the entry names `name` (as produced by knownHostName). */
export function entryNames(entry: KnownHostEntry, name: string): boolean {
  if (entry.hashed) {
    const h = createHmac('sha1', entry.hashed.salt).update(name).digest();
    return h.equals(entry.hashed.hash);
  }
  return matchesPatternList(name, entry.patterns ?? []);
}

function readEntries(file: string): KnownHostEntry[] {
  // `UserKnownHostsFile=/dev/null`, OpenSSH's way of keeping no known hosts, holds none (not an input file's device error).
  if (file === '/dev/null' || !existsSync(file)) return [];
  return parseKnownHosts(readInputText(file), file);
}

/** Checks one key against the entries of several files: a revoked key or a match anywhere decides. */
export function checkHostKeyIn(
  entries: readonly KnownHostEntry[],
  host: string,
  port: number,
  keyType: string,
  keyBlob: Buffer,
): HostKeyStatus {
  const name = knownHostName(host, port);
  const mine = entries.filter((e) => e.marker !== 'cert-authority' && entryNames(e, name));
  const revoked = entries.find((e) => e.marker === 'revoked' && e.keyBlob.equals(keyBlob));
  if (revoked) return { revoked: { file: revoked.file, line: revoked.line } };
  if (mine.some((e) => !e.marker && e.keyType === keyType && e.keyBlob.equals(keyBlob))) return 'match';
  const changed = mine.find((e) => !e.marker && e.keyType === keyType);
  return changed ? { mismatch: { file: changed.file, line: changed.line } } : 'unknown';
}

/** Checks a host key against one known_hosts file (missing file: unknown). */
export const checkHostKey = (
  file: string,
  host: string,
  port: number,
  keyType: string,
  keyBlob: Buffer,
): HostKeyStatus => checkHostKeyIn(readEntries(file), host, port, keyType, keyBlob);

/** Checks a host key against several files, in order. */
export const checkHostKeyFiles = (
  files: readonly string[],
  host: string,
  port: number,
  keyType: string,
  keyBlob: Buffer,
): HostKeyStatus => checkHostKeyIn(files.flatMap(readEntries), host, port, keyType, keyBlob);

/** Key types known for a host across files, in file order: ssh2 is asked to prefer them. */
export function knownKeyTypes(files: readonly string[], host: string, port: number): string[] {
  const name = knownHostName(host, port);
  const types = files
    .flatMap(readEntries)
    .filter((e) => !e.marker && entryNames(e, name))
    .map((e) => e.keyType);
  return [...new Set(types)];
}

/** A known_hosts line for the key, plain (`[h]:p type key`) or hashed (`|1|salt|hash type key`). */
export function formatKnownHostLine(
  host: string,
  port: number,
  keyType: string,
  keyBlob: Buffer,
  hash: boolean,
): string {
  const name = knownHostName(host, port);
  let hosts = name;
  if (hash) {
    const salt = randomBytes(20);
    hosts = `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
  }
  return `${hosts} ${keyType} ${keyBlob.toString('base64')}`;
}

/**
 * Records a key (accept-new). Returns 'present' when the file already has it; refuses (returns the
 * status) when the file holds a different key of that type for the host: it never overwrites one.
 */
export function appendHostKey(
  file: string,
  host: string,
  port: number,
  keyType: string,
  keyBlob: Buffer,
  o: { hash?: boolean } = {},
): 'added' | 'present' | Exclude<HostKeyStatus, 'match' | 'unknown'> {
  const status = checkHostKey(file, host, port, keyType, keyBlob);
  if (status === 'match') return 'present';
  if (status !== 'unknown') return status;
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const before = existsSync(file) ? readInputText(file) : '';
  const sep = before === '' || before.endsWith('\n') ? '' : '\n';
  appendFileSync(file, `${sep}${formatKnownHostLine(host, port, keyType, keyBlob, o.hash ?? false)}\n`, {
    mode: 0o600,
  });
  return 'added';
}
