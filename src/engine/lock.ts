// The cluster lock: one changing run at a time, held as a folder on the core node (mkdir is atomic).
import { hostname, userInfo } from 'node:os';
import { randomUUID } from 'node:crypto';
import { readOnly, sh, type Become } from '../command.js';
import type { Transport } from '../transport/types.js';
import { diag, type Diagnostic } from '../errors.js';
import type { Inventory, ResolvedHost } from '../inventory/types.js';
import { hostPrivilege } from '../privilege.js';
import { resolveHost } from '../inventory/resolve.js';
import type { Connector } from './types.js';

/** Default place of the lock on the core node (a Stackato data folder; private per node in the lab); the host var `stackplay_lock_dir` moves it. */
export const LOCK_DIR = '/var/stackato/stackplay/lock';

/** Who holds the lock: written to `info` inside the lock folder. */
export interface LockInfo {
  id: string;
  holder: string;
  pid: number;
  since: string;
  what: string;
}

export interface HeldLock {
  info: LockInfo;
  release(): Promise<void>;
}

/** The lock was held by another run: the diagnostic says by whom and since when. */
export interface LockRefused {
  refused: Diagnostic;
}

export const lockDirOf = (vars: Record<string, unknown>): string =>
  typeof vars.stackplay_lock_dir === 'string' && vars.stackplay_lock_dir.startsWith('/')
    ? vars.stackplay_lock_dir
    : LOCK_DIR;

/** This controller's identity for a new lock. */
export function newLockInfo(what: string): LockInfo {
  return {
    id: randomUUID(),
    holder: `${userInfo().username}@${hostname()}`,
    pid: process.pid,
    since: new Date().toISOString(),
    what,
  };
}

/** The info file of a stackplay lock, or undefined when it is missing or not exactly what newLockInfo writes. */
export function parseInfo(text: string | null): LockInfo | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text ?? '');
  } catch {
    return undefined;
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const i = v as Record<string, unknown>;
  const wellFormed =
    typeof i.id === 'string' &&
    i.id !== '' &&
    typeof i.holder === 'string' &&
    Number.isInteger(i.pid) &&
    typeof i.since === 'string' &&
    !Number.isNaN(Date.parse(i.since)) &&
    typeof i.what === 'string';
  return wellFormed ? (i as unknown as LockInfo) : undefined;
}

/** Removes a lock folder holding nothing but its info file (rm of one file, then rmdir: never a recursive delete). */
const removeLock = (t: Transport, dir: string) => t.exec(sh`rm -f -- ${`${dir}/info`} && rmdir -- ${dir}`);

/**
 * --break-lock: removes what is at `dir` only when it is a lock this tool recognises (a folder
 * holding only a well-formed info file, or an empty folder left by a run that died before writing
 * it). Anything else is refused and left as it is.
 */
async function breakLock(t: Transport, host: string, dir: string): Promise<LockRefused | undefined> {
  const there = await t.exec(readOnly(sh`test -e ${dir} || test -L ${dir}`));
  if (there.code !== 0) return undefined;
  const listed = await t.exec(readOnly(sh`test -d ${dir} && ! test -L ${dir} && ls -A -- ${dir}`));
  const entries = listed.code === 0 ? listed.stdout.split('\n').filter(Boolean) : undefined;
  const info =
    entries?.length === 1 && entries[0] === 'info'
      ? parseInfo(await t.read(`${dir}/info`).catch(() => null))
      : undefined;
  if (entries?.length === 0 || info) {
    const removed = await removeLock(t, dir);
    if (removed.code !== 0)
      throw new Error(
        `cannot remove the lock ${dir}: ${(removed.stderr || removed.stdout).trim() || `exit ${removed.code}`}`,
      );
    return undefined;
  }
  const what =
    entries === undefined
      ? 'is not a folder'
      : entries.includes('info')
        ? entries.length > 1
          ? `holds other files besides its info file (${entries
              .filter((e) => e !== 'info')
              .slice(0, 5)
              .join(', ')})`
          : 'has an info file that is not a stackplay lock record'
        : `holds no info file but ${entries.slice(0, 5).join(', ')}`;
  return {
    refused: diag(
      'E_LOCK_UNRECOGNISED',
      `--break-lock: ${dir} on ${host} ${what}; it is not a lock stackplay made, so nothing was removed`,
      undefined,
      'check what is there; remove it by hand if it really is a stale lock, or point stackplay_lock_dir at a free path',
    ),
  };
}

function refusal(host: string, dir: string, held: LockInfo | undefined): LockRefused {
  const who = held
    ? `${held.holder} (pid ${held.pid}, ${held.what}) since ${held.since}`
    : 'an unknown run (no readable info file)';
  return {
    refused: diag(
      'E_LOCKED',
      `the cluster is locked on ${host} (${dir}) by ${who}`,
      undefined,
      'wait for that run to end; if it is gone (a stale lock), run again with --break-lock',
    ),
  };
}

/**
 * Takes the lock on `host` through its transport. With `breakLock`, an existing lock is removed
 * first. release() removes the lock only while it is still this run's own.
 */
export async function takeLock(
  t: Transport,
  host: string,
  dir: string,
  info: LockInfo,
  o: { breakLock?: boolean; releaseVia?: () => Promise<Transport> } = {},
): Promise<HeldLock | LockRefused> {
  const parent = dir.replace(/\/[^/]+\/?$/, '') || '/';
  if (o.breakLock) {
    const refused = await breakLock(t, host, dir);
    if (refused) return refused;
  }
  const made = await t.exec(sh`mkdir -p ${parent} && mkdir ${dir}`);
  if (made.code !== 0) {
    const exists = await t.exec(sh`test -d ${dir}`);
    if (exists.code !== 0)
      throw new Error(`cannot create ${dir}: ${(made.stderr || made.stdout).trim() || `exit ${made.code}`}`);
    // Another run may still be writing its info file: read what is there.
    return refusal(host, dir, parseInfo(await t.read(`${dir}/info`).catch(() => null)));
  }
  await t.write(`${dir}/info`, `${JSON.stringify(info)}\n`, { mode: '0644' });
  return {
    info,
    release: async () => {
      // The core may be reached another way by now (migrate moves it): ask for its transport again.
      const via = o.releaseVia ? await o.releaseVia() : t;
      const now = parseInfo(await via.read(`${dir}/info`).catch(() => null));
      if (now?.id === info.id) await removeLock(via, dir);
    },
  };
}

/**
 * Locks the cluster on its core node (the first host of group `core`) before a changing run.
 * No core group: nothing to lock. A core that cannot be reached or written is warned about and
 * the run goes on unlocked (it will report that host itself).
 */
export async function lockCluster(
  inv: Inventory,
  connector: Connector,
  what: string,
  o: { breakLock?: boolean; warn(message: string): void; hosts?: ReadonlyMap<string, ResolvedHost> },
): Promise<HeldLock | LockRefused | undefined> {
  const core = inv.groups.get('core')?.hosts[0];
  if (!core) return undefined;
  const resolved = o.hosts?.get(core) ?? resolveHost(inv, core);
  const dir = lockDirOf(resolved.vars);
  try {
    // The lock is taken with the core's own privilege (its become vars), as its tasks would be.
    const become = hostPrivilege(resolved.connection?.become);
    const transport = async () => {
      const t = await connector.get(resolved);
      return become ? privileged(t, become) : t;
    };
    return await takeLock(await transport(), core, dir, newLockInfo(what), { ...o, releaseVia: transport });
  } catch (e) {
    o.warn(
      `could not lock the cluster on ${core} (${dir}): ${(e as Error).message.split('\n')[0]}; running without the lock`,
    );
    return undefined;
  }
}

/** The transport with every command and file operation run with `become`. */
const privileged = (t: Transport, become: Become): Transport => ({
  host: t.host,
  close: () => t.close(),
  exec: (cmd, opts) => t.exec({ ...cmd, become }, opts),
  read: (path) => t.read(path, { become }),
  write: (path, content, opts) => t.write(path, content, { ...opts, become }),
});
