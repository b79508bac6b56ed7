// A Transport over an in-memory host: a fake filesystem, a small sh interpreter and scripted answers.
import type { Command, Become } from '../../src/command.js';
import type { ExecOptions, ExecResult, Transport, WriteOptions } from '../../src/transport/types.js';
import { CheckModeViolation, HostKeyError, UnreachableError } from '../../src/errors.js';
import { FakeFs, parseMode, type FakeFsInit } from './fake-fs.js';
import { Shell, type Program } from './fake-shell.js';

export { FakeFs, type FakeFsInit, type FakeEntry } from './fake-fs.js';
export type { Program } from './fake-shell.js';

export type Matcher = RegExp | string | ((text: string) => boolean);
export type Answer =
  | Partial<ExecResult>
  | ((text: string, stdin: string | undefined, fake: FakeTransport) => Partial<ExecResult>);

export type FakeCall =
  | {
      kind: 'exec';
      text: string;
      display: string;
      readOnly: boolean;
      become: boolean;
      stdin?: string;
      result: ExecResult;
    }
  | { kind: 'write'; path: string; content: string; mode?: string; become: boolean }
  | { kind: 'read'; path: string; become: boolean; found: boolean }
  | { kind: 'close' };

export interface FakeOptions extends FakeFsInit {
  /** Act as check mode's transport: refuse (and count) writes and commands not marked readOnly. */
  readOnly?: boolean;
  /** Seconds since the epoch for `date +%s` (sleep advances it). */
  now?: number;
  /** Ports listening: 8080 (any address) or "10.0.0.5:8080". */
  listening?: (number | string)[];
  /** Working directory of commands (the login user's home). */
  cwd?: string;
  /**
   * The login user. When set, write() leaves files owned by this user and group, as sftp to a temp
   * file and a rename do; unset, write() keeps an existing file's owner (new files: root).
   */
  user?: string;
}

const matches = (m: Matcher, text: string): boolean =>
  typeof m === 'string' ? text.includes(m) : m instanceof RegExp ? m.test(text) : m(text);

/**
 * Every command runs, in this order, through: the scripted answers (`on`, newest first), then the
 * built-in sh interpreter over `fs` (test, cat, stat, sha256sum, mkdir, rm, ln, chmod, chown, touch,
 * sleep, date, bash -c, /dev/tcp against `listening`, plus the programs added with `program`).
 * An unknown program exits 127, unsupported syntax exits 2 with "fake-shell: unsupported" on stderr.
 */
export class FakeTransport implements Transport {
  readonly fs: FakeFs;
  readonly calls: FakeCall[] = [];
  /** Check-mode breaches: refused changes, and readOnly commands that changed the filesystem. */
  readonly violations: string[] = [];
  readonly listening = new Set<string>();
  readonly clock: { now: number };
  readOnly: boolean;
  closed = false;
  private readonly answers: { m: Matcher; a: Answer; times: number }[] = [];
  private readonly programs = new Map<string, Program>();
  private failure: { kind: 'unreachable' | 'hostkey'; after: number } | undefined;
  private readonly cwd: string;
  private readonly user: string | undefined;

  constructor(
    readonly host = 'fake',
    o: FakeOptions = {},
  ) {
    this.fs = new FakeFs(o);
    this.readOnly = o.readOnly ?? false;
    this.clock = { now: o.now ?? 1_700_000_000 };
    this.cwd = o.cwd ?? '/root';
    this.user = o.user;
    for (const l of o.listening ?? []) this.listen(l);
  }

  get readOnlyViolations(): number {
    return this.violations.length;
  }

  /** Scripts an answer for commands whose text matches (a string matches as a substring). */
  on(matcher: Matcher, answer: Answer, o: { times?: number } = {}): this {
    this.answers.unshift({ m: matcher, a: answer, times: o.times ?? Infinity });
    return this;
  }

  /** Adds a program the interpreter can run inside scripts (e.g. `kato`). */
  program(name: string, run: Program): this {
    this.programs.set(name, run);
    return this;
  }

  listen(port: number | string): this {
    this.listening.add(typeof port === 'number' ? `*:${port}` : port);
    return this;
  }

  unlisten(port: number | string): this {
    this.listening.delete(typeof port === 'number' ? `*:${port}` : port);
    return this;
  }

  /** From now on (or after `afterCalls` more calls) every call throws, as a lost host would. */
  fail(kind: 'unreachable' | 'hostkey' = 'unreachable', o: { afterCalls?: number } = {}): this {
    this.failure = { kind, after: this.calls.length + (o.afterCalls ?? 0) };
    return this;
  }

  recover(): this {
    this.failure = undefined;
    return this;
  }

  /** Texts of the commands run, in order (reads and writes left out). */
  commands(): string[] {
    return this.calls.flatMap((c) => (c.kind === 'exec' ? [c.text] : []));
  }

  /** Commands that were not read-only probes: what changed (or tried to change) the host. */
  changes(): FakeCall[] {
    return this.calls.filter((c) => c.kind === 'write' || (c.kind === 'exec' && !c.readOnly));
  }

  /** File content, or null: a shortcut for assertions. */
  file(path: string): string | null {
    return this.fs.readFile(path);
  }

  async exec(cmd: Command, o: ExecOptions = {}): Promise<ExecResult> {
    this.guard();
    const become = cmd.become !== undefined;
    if (this.readOnly && !cmd.readOnly) {
      this.violations.push(`exec of a command not marked readOnly: ${cmd.display}`);
      throw new CheckModeViolation(this.host, cmd.display);
    }
    const before = this.fs.version;
    const result = this.run(cmd.text, o.stdin);
    if (cmd.readOnly && this.fs.version !== before)
      this.violations.push(`readOnly command changed the host: ${cmd.display}`);
    if (o.onOutput) {
      if (result.stdout) o.onOutput('stdout', result.stdout);
      if (result.stderr) o.onOutput('stderr', result.stderr);
    }
    this.calls.push({
      kind: 'exec',
      text: cmd.text,
      display: cmd.display,
      readOnly: cmd.readOnly,
      become,
      ...(o.stdin !== undefined ? { stdin: o.stdin } : {}),
      result,
    });
    return result;
  }

  async read(path: string, o: { become?: Become } = {}): Promise<string | null> {
    this.guard();
    const content = this.fs.readFile(path);
    this.calls.push({ kind: 'read', path, become: o.become !== undefined, found: content !== null });
    return content;
  }

  /** Like the real transports' temp-file-then-rename: the file gets `mode`, else a new file's 0644. */
  async write(path: string, content: string, o: WriteOptions = {}): Promise<void> {
    this.guard();
    this.calls.push({
      kind: 'write',
      path,
      content,
      ...(o.mode !== undefined ? { mode: o.mode } : {}),
      become: o.become !== undefined,
    });
    if (this.readOnly) {
      this.violations.push(`write of ${path}`);
      throw new CheckModeViolation(this.host, `write ${path}`);
    }
    this.fs.writeFile(path, content, o.mode === undefined ? 0o644 : parseMode(o.mode));
    if (this.user !== undefined) this.fs.chown(path, this.user, this.user);
  }

  async close(): Promise<void> {
    this.calls.push({ kind: 'close' });
    this.closed = true;
  }

  private guard(): void {
    if (this.closed) throw new Error(`fake transport ${this.host} used after close()`);
    if (this.failure && this.calls.length >= this.failure.after) {
      if (this.failure.kind === 'hostkey')
        throw new HostKeyError(this.host, `host key for ${this.host} does not match known_hosts (fake)`);
      throw new UnreachableError(this.host, `fake: ${this.host} is unreachable`);
    }
  }

  private run(text: string, stdin: string | undefined): ExecResult {
    const scripted = this.answers.find((s) => s.times > 0 && matches(s.m, text));
    if (scripted) {
      scripted.times--;
      const r = typeof scripted.a === 'function' ? scripted.a(text, stdin, this) : scripted.a;
      return { code: 0, signal: null, stdout: '', stderr: '', ms: 0, ...r };
    }
    const world = {
      fs: this.fs,
      clock: this.clock,
      connect: (host: string, port: number) => this.listening.has(`*:${port}`) || this.listening.has(`${host}:${port}`),
      program: (name: string) => this.programs.get(name),
    };
    const r = Shell.run(world, text, { ...(stdin !== undefined ? { stdin } : {}), cwd: this.cwd });
    return { ...r, signal: null, ms: 0 };
  }
}
