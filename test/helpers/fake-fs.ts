// An in-memory POSIX-like filesystem for the fake transport: files, directories, symlinks, modes, owners.
import { posix } from 'node:path';

export type FakeEntry =
  | { type: 'file'; content: string; mode: number; owner: string; group: string }
  | { type: 'directory'; mode: number; owner: string; group: string }
  | { type: 'link'; target: string; owner: string; group: string };

/** How tests describe a file: its content, or content plus attributes (mode as "0600" or 0o600). */
export type FakeFileInit = string | { content: string; mode?: string | number; owner?: string; group?: string };
export type FakeDirInit = { mode?: string | number; owner?: string; group?: string };

export interface FakeFsInit {
  files?: Record<string, FakeFileInit>;
  /** Directories (parents of files exist implicitly). */
  dirs?: string[] | Record<string, FakeDirInit>;
  /** Symlinks: path -> target. */
  links?: Record<string, string>;
  /** Start empty instead of with /etc, /tmp, /var, /home, /root, /usr, /opt, /srv, /mnt. */
  bare?: boolean;
}

/** A filesystem error with the errno name, worded as coreutils would. */
export class FsError extends Error {
  constructor(
    readonly errno: 'ENOENT' | 'EEXIST' | 'EISDIR' | 'ENOTDIR' | 'ENOTEMPTY' | 'ELOOP',
    readonly path: string,
  ) {
    super(`${path}: ${FS_MESSAGES[errno]}`);
  }
}
const FS_MESSAGES = {
  ENOENT: 'No such file or directory',
  EEXIST: 'File exists',
  EISDIR: 'Is a directory',
  ENOTDIR: 'Not a directory',
  ENOTEMPTY: 'Directory not empty',
  ELOOP: 'Too many levels of symbolic links',
} as const;

export const parseMode = (m: string | number): number => (typeof m === 'number' ? m : parseInt(m, 8));
/** "644", "1777": how `stat -c %a` prints a mode. */
export const formatMode = (m: number): string => m.toString(8).padStart(3, '0');

const SKELETON = ['/etc', '/tmp', '/var', '/home', '/root', '/usr', '/opt', '/srv', '/mnt'];

export class FakeFs {
  readonly entries = new Map<string, FakeEntry>();
  /** Bumped on every change, so callers can tell whether a command changed anything. */
  version = 0;

  constructor(init: FakeFsInit = {}) {
    this.entries.set('/', { type: 'directory', mode: 0o755, owner: 'root', group: 'root' });
    if (!init.bare) for (const d of SKELETON) this.mkdir(d, { parents: true });
    const dirs: Record<string, FakeDirInit> = Array.isArray(init.dirs)
      ? Object.fromEntries(init.dirs.map((d) => [d, {}]))
      : (init.dirs ?? {});
    for (const [p, d] of Object.entries(dirs)) {
      this.mkdir(p, { parents: true, ...(d.mode !== undefined ? { mode: parseMode(d.mode) } : {}) });
      this.chown(p, d.owner, d.group);
    }
    for (const [p, f] of Object.entries(init.files ?? {})) {
      const spec = typeof f === 'string' ? { content: f } : f;
      this.mkdir(posix.dirname(normalize(p)), { parents: true });
      this.writeFile(p, spec.content, spec.mode === undefined ? undefined : parseMode(spec.mode));
      this.chown(p, spec.owner, spec.group);
    }
    for (const [p, target] of Object.entries(init.links ?? {})) {
      this.mkdir(posix.dirname(normalize(p)), { parents: true });
      this.symlink(target, p);
    }
  }

  /** The entry at path without following a final symlink (lstat). */
  lstat(path: string): FakeEntry | undefined {
    return this.entries.get(this.resolveParent(normalize(path)));
  }

  /** The entry at path, following symlinks (stat). */
  stat(path: string): FakeEntry | undefined {
    const p = this.realpath(path);
    return p === undefined ? undefined : this.entries.get(p);
  }

  /** Canonical path with every symlink resolved; undefined when a component is missing. */
  realpath(path: string, depth = 0): string | undefined {
    if (depth > 16) throw new FsError('ELOOP', path);
    const p = this.resolveParent(normalize(path));
    const e = this.entries.get(p);
    if (!e) return undefined;
    if (e.type !== 'link') return p;
    return this.realpath(posix.resolve(posix.dirname(p), e.target), depth + 1);
  }

  readFile(path: string): string | null {
    const e = this.stat(path);
    if (!e) return null;
    if (e.type !== 'file') throw new FsError('EISDIR', path);
    return e.content;
  }

  /** Creates or replaces a file. A new file gets `mode` or 0644; an existing one keeps its mode unless given. */
  writeFile(path: string, content: string, mode?: number): void {
    const target = this.realpath(path) ?? this.requireParent(path);
    const old = this.entries.get(target);
    if (old && old.type === 'directory') throw new FsError('EISDIR', path);
    const base = old && old.type === 'file' ? old : { mode: 0o644, owner: 'root', group: 'root' };
    this.set(target, { type: 'file', content, mode: mode ?? base.mode, owner: base.owner, group: base.group });
  }

  mkdir(path: string, o: { parents?: boolean; mode?: number } = {}): void {
    const p = this.resolveParent(normalize(path));
    const e = this.stat(p);
    if (e) {
      if (e.type !== 'directory') throw new FsError('EEXIST', path);
      if (!o.parents) throw new FsError('EEXIST', path);
      return;
    }
    if (o.parents) this.mkdir(posix.dirname(p), { parents: true });
    else this.requireParent(p);
    this.set(p, { type: 'directory', mode: o.mode ?? 0o755, owner: 'root', group: 'root' });
  }

  remove(path: string, o: { recursive?: boolean } = {}): void {
    const p = this.resolveParent(normalize(path));
    const e = this.entries.get(p);
    if (!e) throw new FsError('ENOENT', path);
    if (e.type === 'directory') {
      const children = [...this.entries.keys()].filter((k) => k.startsWith(p === '/' ? '/' : `${p}/`) && k !== p);
      if (!o.recursive) throw new FsError('EISDIR', path);
      for (const c of children) this.entries.delete(c);
    }
    this.entries.delete(p);
    this.version++;
  }

  symlink(target: string, path: string): void {
    const p = this.resolveParent(normalize(path));
    if (this.entries.has(p)) throw new FsError('EEXIST', path);
    this.requireParent(p);
    this.set(p, { type: 'link', target, owner: 'root', group: 'root' });
  }

  chmod(path: string, mode: number): void {
    const p = this.realpath(path);
    const e = p === undefined ? undefined : this.entries.get(p);
    if (!e || p === undefined) throw new FsError('ENOENT', path);
    if (e.type !== 'link') this.set(p, { ...e, mode });
  }

  /** Changes owner and/or group; `noDereference` changes a symlink itself (chown -h). */
  chown(path: string, owner?: string, group?: string, noDereference = false): void {
    if (owner === undefined && group === undefined) return;
    const p = noDereference ? this.resolveParent(normalize(path)) : this.realpath(path);
    const e = p === undefined ? undefined : this.entries.get(p);
    if (!e || p === undefined) throw new FsError('ENOENT', path);
    this.set(p, { ...e, owner: owner ?? e.owner, group: group ?? e.group });
  }

  /** Names directly inside a directory. */
  list(path: string): string[] {
    const p = this.realpath(path);
    if (p === undefined) throw new FsError('ENOENT', path);
    const prefix = p === '/' ? '/' : `${p}/`;
    return [...this.entries.keys()]
      .filter((k) => k.startsWith(prefix) && k !== p && !k.slice(prefix.length).includes('/'))
      .map((k) => k.slice(prefix.length))
      .sort();
  }

  /** Every entry as plain data, sorted by path: handy for deepEqual assertions. */
  snapshot(): Record<string, FakeEntry> {
    return Object.fromEntries(
      [...this.entries.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, { ...v }]),
    );
  }

  private set(p: string, e: FakeEntry): void {
    this.entries.set(p, e);
    this.version++;
  }

  /** Resolves symlinks in the directory part only; the last component stays as named. */
  private resolveParent(p: string): string {
    if (p === '/') return p;
    const dir = posix.dirname(p);
    const real = this.realpath(dir) ?? dir;
    return posix.join(real, posix.basename(p));
  }

  private requireParent(path: string): string {
    const p = normalize(path);
    const parent = this.stat(posix.dirname(p));
    if (!parent) throw new FsError('ENOENT', path);
    if (parent.type !== 'directory') throw new FsError('ENOTDIR', path);
    return this.resolveParent(p);
  }
}

/** Absolute, without `.`, `..`, double or trailing slashes. */
export function normalize(path: string, cwd = '/'): string {
  return posix.resolve(cwd, path);
}
