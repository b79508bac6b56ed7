// A throwaway host for module tests: a private mount and network namespace (root only) whose / is a temp
// folder, reached through the production LocalTransport, so probes and steps run in a real sh and coreutils.
import test, { type ImplementationFn } from 'ava';
import { type ChildProcess, spawn } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { quote, type Command } from '../../src/command.js';
import { findTool } from '../../src/lab/host-check.js';
import { localTransport } from '../../src/transport/local.js';
import type { ExecOptions, ExecResult, Transport, WriteOptions } from '../../src/transport/types.js';

/** Why a sandbox cannot be opened on this machine, or undefined. */
export const sandboxSkipReason: string | undefined = (() => {
  if (process.platform !== 'linux') return 'needs Linux: the sandbox is a private mount and network namespace';
  if (process.getuid?.() !== 0) return 'needs root: the sandbox is a private mount and network namespace';
  const missing = ['unshare', 'nsenter', 'ip'].filter((x) => !findTool(x));
  return missing.length ? `needs ${missing.join(', ')} for the sandbox` : undefined;
})();

/** A test that needs a sandbox: skipped, saying why, where there can be none. */
export const sandboxTest = (title: string, fn: ImplementationFn<[]>): void => {
  if (sandboxSkipReason) test.skip(`${title} (${sandboxSkipReason})`, fn);
  else test(title, fn);
};

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
  /** Programs whose arguments are logged (one line per call) before the real program runs: see `calls()`. */
  record?: string[];
}

export type Call =
  | { kind: 'exec'; text: string; display: string; readOnly: boolean; become: boolean; stdin?: string }
  | { kind: 'write'; path: string; content: string; mode?: string; become: boolean }
  | { kind: 'read'; path: string; become: boolean };

/** The test host's accounts (its own /etc/passwd and /etc/group), by name and id. */
const USERS: Record<string, number> = { root: 0, stackato: 1000, deploy: 1001, nobody: 65534 };
const GROUPS: Record<string, number> = { root: 0, stackato: 1000, deploy: 1001, nogroup: 65534 };
const SKELETON = ['etc', 'tmp', 'var', 'home', 'root', 'opt', 'srv', 'mnt'];
/** What the sandbox itself puts in /etc for the tools to work; list() leaves these out. */
const ETC_BASE = ['passwd', 'group', 'nsswitch.conf', 'ld.so.cache', 'alternatives'];
/** Folders of the sandbox's root that are the machine's own (mounted read-only) or the sandbox's tools. */
const NOT_HOST_STATE = new Set([
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
const TOOLS = '/.sandbox';

const parseMode = (m: string | number): number => (typeof m === 'number' ? m : Number.parseInt(m, 8));
const nameOf = (ids: Record<string, number>, id: number) => Object.keys(ids).find((n) => ids[n] === id) ?? String(id);
const idOf = (ids: Record<string, number>, name: string | undefined, fallback: number): number => {
  if (name === undefined) return fallback;
  const id = ids[name];
  if (id === undefined) throw new Error(`sandbox: no account "${name}" (known: ${Object.keys(ids).join(', ')})`);
  return id;
};

/** The machine's program folders: /usr, and /bin, /lib... where they are folders rather than links into /usr. */
const SYSTEM = ['usr', 'bin', 'sbin', 'lib', 'lib32', 'lib64', 'libx32'].filter((d) => existsSync(`/${d}`));

/** The script the holder runs in its fresh namespaces: the temp folder becomes /, the machine's programs show read-only. */
const holderScript = (root: string) =>
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
    'mount --bind /etc/ld.so.cache "$R/etc/ld.so.cache"',
    'mount --bind /etc/alternatives "$R/etc/alternatives"',
    'mount -o remount,bind,ro "$R/etc/alternatives"',
    'ip link set lo up',
    'cd "$R"',
    'pivot_root . .oldroot',
    'cd /',
    'umount -l /.oldroot',
    'rmdir /.oldroot',
    'echo ready',
    'exec sleep infinity',
  ].join('\n');

/** Waits (bounded, event-driven) for a line on a child's stdout; rejects with its stderr if it exits first. */
function lineFrom(child: ChildProcess, line: string, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => fail(new Error(`${what}: not ready after 60s: ${err}`)), 60_000);
    const fail = (e: Error) => {
      clearTimeout(timer);
      reject(e);
    };
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.split('\n').includes(line)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('error', fail);
    child.on('exit', (code) => fail(new Error(`${what} exited ${code}: ${err.trim()}`)));
  });
}

/** Holders and listeners still running: killed if the test process exits without closing its sandboxes. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
});

/** Starts a process this module owns: it is ended by pid, on close() or when the test process exits. */
function start(command: string, args: string[]): ChildProcess {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  child.once('exit', () => running.delete(child));
  return child;
}

const exited = (child: ChildProcess): Promise<void> =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));

export class Sandbox {
  /** Every exec, read and write through `transport`, in order. */
  readonly calls: Call[] = [];
  readonly transport: Transport;
  private readonly listeners = new Map<number, ChildProcess>();

  private constructor(
    readonly dir: string,
    private readonly holder: ChildProcess,
    private readonly state: HostState,
    name: string,
  ) {
    this.transport = this.wrap(localTransport(name));
  }

  /** Builds the host's files, starts the namespace holder and the listeners. Needs root. */
  static async open(state: HostState = {}, name = 'h'): Promise<Sandbox> {
    if (sandboxSkipReason) throw new Error(`sandbox: ${sandboxSkipReason}`);
    const dir = mkdtempSync(join(tmpdir(), 'stackplay-sandbox-'));
    try {
      const root = join(dir, 'root');
      prepare(root, state);
      writeFileSync(join(dir, 'holder.sh'), holderScript(root));
      const holder = start('unshare', [
        '--mount',
        '--net',
        '--propagation',
        'private',
        '/bin/sh',
        join(dir, 'holder.sh'),
      ]);
      const box = new Sandbox(dir, holder, state, name);
      try {
        await lineFrom(holder, 'ready', 'sandbox holder');
        for (const port of state.listening ?? []) await box.listen(port);
      } catch (e) {
        await box.close();
        throw e;
      }
      return box;
    } catch (e) {
      rmSync(dir, { recursive: true, force: true });
      throw e;
    }
  }

  /** The host's path as this process sees it (through the holder's root, mounts included). */
  private inside(path: string): string {
    return `/proc/${this.holder.pid}/root${posix.resolve('/', path)}`;
  }

  /** The host's path in the temp folder (plain files only: no mounts), for building and inspecting state. */
  hostPath(path: string): string {
    return join(this.dir, 'root', posix.resolve('/', path));
  }

  private wrap(local: Transport): Transport {
    const enter = ['nsenter', '-t', String(this.holder.pid), '-m', '-n', '--wdns=/root', '--'];
    const path = this.state.record?.length ? [`PATH=${TOOLS}/bin:${process.env.PATH ?? '/usr/bin:/bin'}`] : [];
    return {
      host: local.host,
      exec: (cmd: Command, o?: ExecOptions): Promise<ExecResult> => {
        this.calls.push({
          kind: 'exec',
          text: cmd.text,
          display: cmd.display,
          readOnly: cmd.readOnly,
          become: cmd.become === true,
          ...(o?.stdin !== undefined ? { stdin: o.stdin } : {}),
        });
        const text = `exec ${[...enter, ...(path.length ? ['env', ...path] : []), 'sh', '-c', cmd.text].map(quote).join(' ')}`;
        return local.exec({ ...cmd, text }, o);
      },
      read: (path: string, o?: { become?: boolean }) => {
        this.calls.push({ kind: 'read', path, become: o?.become === true });
        return local.read(this.inside(path), o);
      },
      write: async (path: string, content: string, o?: WriteOptions) => {
        this.calls.push({
          kind: 'write',
          path,
          content,
          ...(o?.mode !== undefined ? { mode: o.mode } : {}),
          become: o?.become === true,
        });
        await local.write(this.inside(path), content, o);
        const user = this.state.user;
        if (user !== undefined) chownSync(this.inside(path), idOf(USERS, user, 0), idOf(GROUPS, user, 0));
      },
      close: () => local.close(),
    };
  }

  /** Calls that could change the host: writes, and commands not marked read-only. */
  changes(): Call[] {
    return this.calls.filter((c) => c.kind === 'write' || (c.kind === 'exec' && !c.readOnly));
  }

  /** File content, or null when there is no regular file at path. */
  file(path: string): string | null {
    const s = lstatSync(this.hostPath(path), { throwIfNoEntry: false });
    return s?.isFile() ? readFileSync(this.hostPath(path), 'utf8') : null;
  }

  /** The entry at path, not following a final symlink: type, mode, owner and group names, content or target. */
  lstat(path: string) {
    const p = this.hostPath(path);
    const s = lstatSync(p, { throwIfNoEntry: false });
    if (!s) return undefined;
    const who = { mode: s.mode & 0o7777, owner: nameOf(USERS, s.uid), group: nameOf(GROUPS, s.gid) };
    if (s.isSymbolicLink()) return { type: 'link' as const, target: readlinkSync(p), ...who };
    if (s.isDirectory()) return { type: 'directory' as const, ...who };
    return { type: 'file' as const, content: readFileSync(p, 'utf8'), ...who };
  }

  /** Names in a folder, sorted; in /etc, leaving out what the sandbox put there for the tools. */
  list(dir: string): string[] {
    const base = posix.resolve('/', dir) === '/etc' ? ETC_BASE : [];
    return readdirSync(this.hostPath(dir))
      .filter((n) => !base.includes(n))
      .sort();
  }

  /** Every entry of the host by absolute path (mode, owner, content or target), to prove a step changed nothing. */
  snapshot(): Record<string, string> {
    const out: Record<string, string> = {};
    const walk = (rel: string) => {
      for (const n of readdirSync(this.hostPath(rel))) {
        const r = rel ? `${rel}/${n}` : n;
        if (NOT_HOST_STATE.has(r)) continue;
        const p = this.hostPath(r);
        const s = lstatSync(p);
        const head = `${(s.mode & 0o7777).toString(8)} ${s.uid}:${s.gid}`;
        if (s.isSymbolicLink()) out[`/${r}`] = `${head} -> ${readlinkSync(p)}`;
        else if (s.isDirectory()) {
          out[`/${r}`] = `${head} dir`;
          walk(r);
        } else out[`/${r}`] = `${head} ${readFileSync(p, 'utf8')}`;
      }
    };
    walk('');
    return out;
  }

  /** Changes the host from outside (e.g. the awaited file appears). */
  writeFile(path: string, content: string): void {
    mkdirSync(dirname(this.hostPath(path)), { recursive: true });
    writeFileSync(this.hostPath(path), content);
  }

  remove(path: string): void {
    rmSync(this.hostPath(path), { recursive: true, force: true });
  }

  /** Arguments of each call of a recorded program (HostState.record), in order. */
  recorded(program: string): string[] {
    const log = this.hostPath(`${TOOLS}/${program}.log`);
    return lstatSync(log, { throwIfNoEntry: false }) ? readFileSync(log, 'utf8').split('\n').slice(0, -1) : [];
  }

  /** Starts a TCP listener on the host's loopback; resolves once it accepts connections. */
  async listen(port: number): Promise<void> {
    const serve = `require('node:net').createServer((s) => s.destroy()).listen(${port}, '0.0.0.0', () => console.log('ready'))`;
    const child = start('nsenter', ['-t', String(this.holder.pid), '-n', '--', process.execPath, '-e', serve]);
    this.listeners.set(port, child);
    await lineFrom(child, 'ready', `listener on port ${port}`);
  }

  /** Stops the listener on port; resolves once it has exited (connections are then refused). */
  async unlisten(port: number): Promise<void> {
    const child = this.listeners.get(port);
    if (!child) return;
    this.listeners.delete(port);
    if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
    await exited(child);
  }

  /** Ends the listeners and the holder (the namespaces go with them) and removes the temp folder. */
  async close(): Promise<void> {
    for (const port of [...this.listeners.keys()]) await this.unlisten(port);
    if (this.holder.pid !== undefined && this.holder.exitCode === null && this.holder.signalCode === null)
      process.kill(this.holder.pid, 'SIGKILL');
    await exited(this.holder);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The temp folder that becomes the host's /: skeleton, accounts, the test's files, dirs and links. */
function prepare(root: string, state: HostState): void {
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
    const real = `/usr/bin/${program}`;
    writeFileSync(join(bin, program), `#!/bin/sh\necho "$*" >> ${TOOLS}/${program}.log\nexec ${real} "$@"\n`, {
      mode: 0o755,
    });
  }
}
