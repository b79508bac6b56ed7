// The folder a sandbox host runs on: its skeleton, accounts and the test's files, and the holder script
// that makes it / in a private mount and network namespace with the machine's programs read-only.
import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readlinkSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { quote } from '../../src/command.js';
import { findTool } from '../../src/lab/host-check.js';

/** How tests describe a file: its content, or content plus attributes (mode as "0600" or 0o600). */
export type FileInit =
  | string
  | { content: string; mode?: string | number; owner?: string; group?: string; minutesOld?: number };
export type DirInit = { mode?: string | number; owner?: string; group?: string };

/** The state a test host starts in. Top-level folders /etc /tmp /var /home /root /opt /srv /mnt exist, empty. */
export interface HostState {
  files?: Record<string, FileInit>;
  /** Directories (parents of files exist implicitly). */
  dirs?: string[] | Record<string, DirInit>;
  /** Symlinks: path -> target. */
  links?: Record<string, string>;
  /** TCP ports listening on the host's loopback (its own network namespace: nothing else is reachable). */
  listening?: number[];
  /** The login user: write() leaves files owned by it, as an sftp upload and a rename do. */
  user?: string;
  /** Programs whose arguments are logged (one line per call) before the real program runs: see Sandbox.recorded(). */
  record?: string[];
}

/** The test host's accounts (its own /etc/passwd and /etc/group), by name and id. */
export const USERS: Record<string, number> = { root: 0, stackato: 1000, deploy: 1001, nobody: 65534 };
export const GROUPS: Record<string, number> = { root: 0, stackato: 1000, deploy: 1001, nogroup: 65534 };
const SKELETON = ['etc', 'tmp', 'var', 'home', 'root', 'opt', 'srv', 'mnt'];
/** What the sandbox itself puts in /etc for the tools to work; list() leaves these out. */
export const ETC_BASE = ['passwd', 'group', 'nsswitch.conf', 'ld.so.cache', 'alternatives'];
/** Folders of the sandbox's root that are the machine's own (mounted read-only) or the sandbox's tools. */
export const NOT_HOST_STATE = new Set([
  'usr',
  'bin',
  'sbin',
  'lib',
  'lib32',
  'lib64',
  'libx32',
  'dev',
  'proc',
  '.sandbox',
  'etc/ld.so.cache',
  'etc/alternatives',
]);
export const TOOLS = '/.sandbox';

const parseMode = (m: string | number): number => (typeof m === 'number' ? m : Number.parseInt(m, 8));
export const nameOf = (ids: Record<string, number>, id: number) =>
  Object.keys(ids).find((n) => ids[n] === id) ?? String(id);
export const idOf = (ids: Record<string, number>, name: string | undefined, fallback: number): number => {
  if (name === undefined) return fallback;
  const id = ids[name];
  if (id === undefined) throw new Error(`sandbox: no account "${name}" (known: ${Object.keys(ids).join(', ')})`);
  return id;
};

/** The machine's program folders: /usr, and /bin, /lib... where they are folders rather than links into /usr. */
const SYSTEM = ['usr', 'bin', 'sbin', 'lib', 'lib32', 'lib64', 'libx32'].filter((d) => existsSync(`/${d}`));

/** The script the holder runs in its fresh namespaces: the temp folder becomes /, the machine's programs show read-only. */
export const holderScript = (root: string) =>
  [
    'set -eu',
    `R=${quote(root)}`,
    'mount --bind "$R" "$R"',
    ...SYSTEM.filter((d) => !lstatSync(`/${d}`).isSymbolicLink()).flatMap((d) => [
      `mount --rbind /${d} "$R/${d}"`,
      `mount -o remount,bind,ro "$R/${d}"`,
    ]),
    'mount --rbind /dev "$R/dev"',
    'mount -t proc proc "$R/proc"',
    'if [ -e /etc/ld.so.cache ]; then mount --bind /etc/ld.so.cache "$R/etc/ld.so.cache"; fi',
    'if [ -d /etc/alternatives ]; then',
    '  mount --bind /etc/alternatives "$R/etc/alternatives" && mount -o remount,bind,ro "$R/etc/alternatives"',
    'fi',
    'ip link set lo up',
    'cd "$R"',
    'pivot_root . .oldroot',
    'cd /',
    'umount -l /.oldroot',
    'rmdir /.oldroot',
    'echo ready',
    'exec sleep infinity',
  ].join('\n');

/** The temp folder that becomes the host's /: skeleton, accounts, the test's files, dirs and links. */
export function prepare(root: string, state: HostState): void {
  const at = (p: string) => join(root, posix.resolve('/', p));
  for (const d of [...SKELETON, 'dev', 'proc', '.oldroot']) mkdirSync(join(root, d), { recursive: true });
  for (const d of SYSTEM) {
    if (lstatSync(`/${d}`).isSymbolicLink()) symlinkSync(readlinkSync(`/${d}`), join(root, d));
    else mkdirSync(join(root, d));
  }
  const etc = join(root, 'etc');
  writeFileSync(
    join(etc, 'passwd'),
    Object.entries(USERS)
      .map(([n, id]) => `${n}:x:${id}:${GROUPS[n] ?? 65534}:${n}:/${n === 'root' ? 'root' : `home/${n}`}:/bin/sh\n`)
      .join(''),
  );
  writeFileSync(
    join(etc, 'group'),
    Object.entries(GROUPS)
      .map(([n, id]) => `${n}:x:${id}:\n`)
      .join(''),
  );
  writeFileSync(join(etc, 'nsswitch.conf'), 'passwd: files\ngroup: files\nhosts: files\n');
  writeFileSync(join(etc, 'ld.so.cache'), '');
  mkdirSync(join(etc, 'alternatives'));
  const chown = (p: string, o: { owner?: string; group?: string }) =>
    chownSync(p, idOf(USERS, o.owner, 0), idOf(GROUPS, o.group, 0));
  const dirs: Record<string, DirInit> = Array.isArray(state.dirs)
    ? Object.fromEntries(state.dirs.map((d) => [d, {}]))
    : (state.dirs ?? {});
  for (const [p, d] of Object.entries(dirs)) {
    mkdirSync(at(p), { recursive: true, mode: 0o755 });
    if (d.mode !== undefined) chmodSync(at(p), parseMode(d.mode));
    chown(at(p), d);
  }
  for (const [p, f] of Object.entries(state.files ?? {})) {
    const spec = typeof f === 'string' ? { content: f } : f;
    mkdirSync(dirname(at(p)), { recursive: true });
    writeFileSync(at(p), spec.content);
    chmodSync(at(p), spec.mode === undefined ? 0o644 : parseMode(spec.mode));
    chown(at(p), spec);
    if (spec.minutesOld !== undefined) {
      const then = new Date(Date.now() - spec.minutesOld * 60_000);
      utimesSync(at(p), then, then);
    }
  }
  for (const [p, target] of Object.entries(state.links ?? {})) {
    mkdirSync(dirname(at(p)), { recursive: true });
    symlinkSync(target, at(p));
  }
  for (const program of state.record ?? []) {
    const bin = join(root, TOOLS.slice(1), 'bin');
    mkdirSync(bin, { recursive: true });
    const real = findTool(program);
    if (!real) throw new Error(`sandbox: cannot record ${program}: it is not installed`);
    writeFileSync(join(bin, program), `#!/bin/sh\necho "$*" >> ${TOOLS}/${program}.log\nexec ${real} "$@"\n`, {
      mode: 0o755,
    });
  }
}
