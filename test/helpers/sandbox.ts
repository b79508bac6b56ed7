// A throwaway host for module tests: a private mount and network namespace (root only) whose / is a temp
// folder, reached through the production LocalTransport, so probes and steps run in a real sh and coreutils.
import test, { type ImplementationFn } from 'ava';
import { type ChildProcess, spawn } from 'node:child_process';
import {
  chownSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { quote, type Become, type Command } from '../../src/command.js';
import { findTool } from '../../src/lab/host-check.js';
import { localTransport } from '../../src/transport/local.js';
import type { ExecOptions, ExecResult, Transport, WriteContent, WriteOptions } from '../../src/transport/types.js';
import {
  ETC_BASE,
  GROUPS,
  type HostState,
  holderScript,
  idOf,
  NOT_HOST_STATE,
  nameOf,
  prepare,
  TOOLS,
  USERS,
} from './sandbox-root.js';

export type { FileInit, DirInit, HostState } from './sandbox-root.js';

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

export type Call =
  | { kind: 'exec'; text: string; display: string; readOnly: boolean; become: boolean; stdin?: string }
  | { kind: 'write'; path: string; content: WriteContent; mode?: string; become: boolean }
  | { kind: 'read'; path: string; become: boolean };

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
  for (const child of running) child.kill('SIGKILL');
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
          become: cmd.become !== undefined,
          ...(o?.stdin !== undefined ? { stdin: o.stdin } : {}),
        });
        const text = `exec ${[...enter, ...(path.length ? ['env', ...path] : []), 'sh', '-c', cmd.text].map(quote).join(' ')}`;
        return local.exec({ ...cmd, text }, o);
      },
      read: (path: string, o?: { become?: Become }) => {
        this.calls.push({ kind: 'read', path, become: o?.become !== undefined });
        return local.read(this.inside(path), o);
      },
      write: async (path: string, content: WriteContent, o?: WriteOptions) => {
        this.calls.push({
          kind: 'write',
          path,
          content,
          ...(o?.mode !== undefined ? { mode: o.mode } : {}),
          become: o?.become !== undefined,
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
