// The SSH transport: one ssh2 connection per host, bounded channels, timeouts, sudo, atomic sftp writes.
import type { ClientChannel, SFTPWrapper } from 'ssh2';
import { sh, shellScript, wrapBecome, type Become, type Command } from '../command.js';
import { HostError, UnreachableError } from '../errors.js';
import type { ConnectionDefaults, HostConnection, HostKeyChecking } from './connection.js';
import { CommandAbortedError, CommandTimeoutError, FileTransferError } from './errors.js';
import { defaultKnownHosts } from './host-key-policy.js';
import { readWithBecome, parseMode, whyFailed, writeWithBecome } from './become-files.js';
import { Semaphore } from './semaphore.js';
import { newStartMark, withStartMark } from './login-noise.js';
import { killTaggedCommand, newRunToken, tagWithToken } from './remote-kill.js';
import { openClient, type OpenClient } from './ssh-connect.js';
import { recordExit, runChannel, type ExitRecord } from './ssh-run.js';
import { sftpRead, sftpWriteAtomic } from './sftp-files.js';
import { sessionScript, ShellNotStartedError, ShellSession, SKIPPED, type BatchItem } from './shell-session.js';
import { RoundTrips } from './round-trips.js';
import { countingSftp } from './sftp-count.js';
import { fitsShellWrite, shellWrite, shellWriteAs } from './shell-write.js';
import type {
  ChainedStep,
  ExecOptions,
  ExecResult,
  Followers,
  Transport,
  WriteContent,
  WriteOptions,
} from './types.js';
import { guardScript } from './guard.js';

export interface SshOptions {
  /** Default 'strict'; a host's StrictHostKeyChecking overrides it. */
  hostKeyChecking?: HostKeyChecking;
  /** known_hosts files to read (default: ~/.ssh/known_hosts); a host's UserKnownHostsFile replaces them. */
  knownHostsFiles?: string[];
  /** The file accept-new records keys in; read as well (default: see defaultKnownHosts, only when knownHostsFiles is not given). */
  knownHostsWriteFile?: string;
  hashKnownHosts?: boolean;
  /** TCP connect + SSH handshake + auth, per hop (default 10s). */
  connectTimeoutMs?: number;
  /** Default per-command limit; none when absent. */
  commandTimeoutMs?: number;
  /** How long the command shell may take to say it is ready (default: the connect timeout). */
  shellStartMs?: number;
  /** Keepalive interval (default 15s) and how many may go unanswered (default 3). */
  keepaliveSec?: number;
  keepaliveCountMax?: number;
  /** Channels open at once on this connection (default 5; sshd's MaxSessions is 10). */
  maxChannels?: number;
  signal?: AbortSignal;
  /** A key verified for this host before (reconnecting to a new address): accepted without known_hosts. */
  pinnedHostKey?: Buffer;
  /** For resolving ProxyJump hops. */
  connectionDefaults?: ConnectionDefaults;
  /** Run plain commands through one long-lived shell (default true; a host's stackplay_shell_session overrides it). */
  shellSession?: boolean;
}

/** A command as the command shell runs it: a read-only probe's output comes straight from the shell's streams. */
const shellItem = (w: { text: string; display: string }, c: Command): BatchItem => ({
  text: w.text,
  display: w.display,
  ...(c.readOnly ? { direct: true } : {}),
});

const CHANNEL_RETRIES = 10;
const backoff = (attempt: number) => 20 * 2 ** Math.min(attempt, 5) * (0.5 + Math.random());
const isChannelShortage = (e: Error) => /open failed|channel open failure|no free channels/i.test(e.message);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function promisify<T>(f: (cb: (err: Error | undefined | null, v: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => f((err, v) => (err ? reject(err) : resolve(v))));
}

export class SshTransport implements Transport {
  readonly host: string;
  /** The host key this connection verified (pinned when reconnecting to a new address). */
  readonly hostKey: Buffer;
  readonly #conn: HostConnection;
  readonly #open: OpenClient;
  readonly #channels: Semaphore;
  readonly #commandTimeoutMs: number | undefined;
  readonly #pending = new Set<(e: Error) => void>();
  #lost: UnreachableError | undefined;
  #sftp: Promise<SFTPWrapper> | undefined;
  /** The command shell (see shell-session.ts); undefined until first used, false once it could not start. */
  #shell: Promise<ShellSession | undefined> | false | undefined;
  readonly #shellStartMs: number;
  /** Kill commands, which are never tagged (and so never chase themselves). */
  readonly #cleanups = new WeakSet<Command>();
  readonly #trips = new RoundTrips();

  constructor(
    conn: HostConnection,
    open: OpenClient,
    o: {
      maxChannels: number;
      commandTimeoutMs?: number;
      shellSession?: boolean;
      shellStartMs?: number;
      /** Its channel was asked for while connecting: take it now, so the shell owns that session from the start. */
      shellAhead?: boolean;
    },
  ) {
    this.host = conn.name;
    this.hostKey = open.hostKey;
    this.#conn = conn;
    this.#open = open;
    this.#channels = new Semaphore(o.maxChannels);
    this.#commandTimeoutMs = o.commandTimeoutMs;
    if ((conn.shellSession ?? o.shellSession) === false) this.#shell = false;
    this.#shellStartMs = o.shellStartMs ?? 10_000;
    const where = `${conn.address}:${conn.port}`;
    open.client.on('error', (e: Error) =>
      this.#drop(new UnreachableError(this.host, `connection to ${where} lost: ${e.message}`, { cause: e })),
    );
    open.client.on('close', () => this.#drop(new UnreachableError(this.host, `connection to ${where} lost`)));
    // Nothing more can come from the server once its stream ends, even when ours to it stays open
    // (a ProxyCommand that closed its output and lives on): ssh2 then emits 'end' but not 'close'.
    open.client.on('end', () => this.#drop(new UnreachableError(this.host, `connection to ${where} lost`)));
    if (o.shellAhead && this.#shell === undefined) void this.#idleShell();
  }

  #drop(e: UnreachableError): void {
    // The server refused the shell's channel asked for ahead, then disconnected over its exec request: the refusal is the news.
    const refused = this.#open.refusedAhead();
    this.#lost ??= refused ? this.#channelRefused(refused) : e;
    for (const reject of [...this.#pending]) reject(this.#lost);
    this.#pending.clear();
  }

  lostReason(): Error | undefined {
    return this.#lost;
  }

  roundTrips(): number {
    return this.#trips.count;
  }

  #check(): void {
    if (this.#lost) throw this.#lost;
  }

  /** The call's privilege escalation, or none when already the target user (sudo may not be installed). */
  #become(requested: Become | undefined): Become | undefined {
    return requested && requested.user !== this.#conn.user ? requested : undefined;
  }

  #channelError(err: Error): Error {
    // Once the channel asked for ahead was refused, the connection is going (see #drop): that refusal is the cause.
    return this.#lost ?? this.#channelRefused(this.#open.refusedAhead() ?? err);
  }

  #channelRefused(err: Error): UnreachableError {
    return new UnreachableError(this.host, `cannot open an SSH channel on ${this.#conn.address}: ${err.message}`, {
      cause: err,
    });
  }

  /** Opens the sftp channel, retrying with backoff when the server is short of sessions. */
  async #openWithBackoff<T>(open: (cb: (err: Error | undefined, v: T) => void) => void): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      this.#check();
      try {
        return await this.#untilLost(promisify<T>((cb) => open(cb)));
      } catch (e) {
        if (this.#lost || !isChannelShortage(e as Error) || attempt >= CHANNEL_RETRIES)
          throw this.#channelError(e as Error);
        if (!(await this.#freeShellSession())) await sleep(backoff(attempt));
      }
    }
  }

  /**
   * A command beside the busy shell (cancelAhead's stop file): an exec channel through the channel
   * limit, retried while the server is short of sessions; lost only with the connection.
   */
  #sideExec(text: string): void {
    void this.exec(shellScript(text, 'stop the commands sent ahead')).catch(() => undefined);
  }

  /** On a server with very few sessions (MaxSessions 1 or 2) the command shell gives its session up. */
  async #freeShellSession(): Promise<boolean> {
    const shell = this.#shell ? await this.#shell : undefined;
    if (!shell?.idle) return false;
    this.#shell = false;
    shell.close();
    return true;
  }

  /**
   * Takes a channel slot and opens an exec channel. When the server refuses for lack of sessions
   * (its MaxSessions is below our limit), the limit for this connection is lowered and the
   * open waits for a running command to finish before it tries again.
   */
  async #openExec(
    text: string,
    display: string,
    signal: AbortSignal | undefined,
  ): Promise<{ ch: ClientChannel; exit: ExitRecord; release: () => void }> {
    for (let attempt = 0; ; attempt++) {
      let release: () => void;
      try {
        release = await this.#channels.acquire(signal);
      } catch {
        throw new CommandAbortedError(this.host, display);
      }
      this.#check();
      try {
        let exit: ExitRecord | undefined;
        // Opening the channel and asking it to run the command: two round trips.
        this.#trips.sent(2);
        const ch = await this.#untilLost(
          promisify<ClientChannel>((cb) =>
            this.#open.client.exec(text, (err, c) => {
              if (!err) exit = recordExit(c);
              cb(err, c);
            }),
          ),
        );
        return { ch, exit: exit!, release };
      } catch (e) {
        release();
        if (this.#lost || !isChannelShortage(e as Error) || attempt >= CHANNEL_RETRIES)
          throw this.#channelError(e as Error);
        if (await this.#freeShellSession()) continue;
        this.#channels.shrink();
        await sleep(backoff(attempt));
      }
    }
  }

  /** The command shell, started on first use; undefined when it cannot be had. */
  async #idleShell(): Promise<ShellSession | undefined> {
    if (this.#shell === false) return undefined;
    const starting =
      this.#shell ??
      this.#untilLost(
        ShellSession.open(this.#open.exec, this.#shellStartMs, (text) => this.#sideExec(text), this.#trips),
      ).catch(() => {
        // A server that cannot run it (no mktemp, a restricted shell, no free session) gets exec channels only.
        if (this.#shell === starting) this.#shell = false;
        return undefined;
      });
    this.#shell ??= starting;
    const shell = await starting;
    if (!shell?.closed) return shell;
    if (shell.neverStarted) {
      // It could not run its loop (no mktemp, a restricted shell): exec channels from now on.
      if (this.#shell === starting) this.#shell = false;
      return undefined;
    }
    // It died since (a command killed it): the first caller to see that starts the next one, the others share it.
    if (this.#shell === starting) this.#shell = undefined;
    return this.#idleShell();
  }

  async exec(cmd: Command, o: ExecOptions = {}): Promise<ExecResult> {
    this.#check();
    const b = this.#become(cmd.become);
    const w = b ? wrapBecome(cmd, b) : { text: cmd.text, display: cmd.display };
    const stdin = (w.stdinPrefix ?? '') + (o.stdin ?? '') + (w.stdinSuffix ?? '');
    // Commands that need stdin, a time limit or cancelling keep their own channel: killing one is per channel.
    if (
      stdin === '' &&
      o.stdinFile === undefined &&
      (o.timeoutMs ?? this.#commandTimeoutMs) === undefined &&
      !o.signal &&
      !this.#cleanups.has(cmd)
    ) {
      const shell = await this.#idleShell();
      this.#check();
      // No await between this check and run(): a concurrent caller takes an exec channel instead.
      if (shell?.idle)
        try {
          return await this.#inShell(shell, shellItem(w, cmd), o.followers, o);
        } catch (e) {
          // The shell could not begin its loop: the command did not run; it takes an exec channel below
          // (and #idleShell, seeing the shell never started, gives this connection no other).
          if (!(e instanceof ShellNotStartedError)) throw e;
        }
    }
    const killable =
      !this.#cleanups.has(cmd) && ((o.timeoutMs ?? this.#commandTimeoutMs) !== undefined || o.signal !== undefined);
    const token = killable ? newRunToken() : undefined;
    const startMark = newStartMark();
    const { ch, exit, release } = await this.#openExec(
      withStartMark(token ? tagWithToken(w.text, token) : w.text, startMark),
      w.display,
      o.signal,
    );
    try {
      return await runChannel(
        ch,
        {
          host: this.host,
          display: w.display,
          stdin,
          ...(o.stdinFile !== undefined ? { stdinFile: o.stdinFile } : {}),
          limit: o.timeoutMs ?? this.#commandTimeoutMs,
          startMark,
          lost: () => this.#lost,
          onDrop: (reject) => {
            this.#pending.add(reject);
            return () => this.#pending.delete(reject);
          },
        },
        o,
        exit,
      );
    } catch (e) {
      if (token && (e instanceof CommandTimeoutError || e instanceof CommandAbortedError)) {
        release();
        await this.#kill(token, cmd.become);
      }
      throw e;
    } finally {
      release();
    }
  }

  /** Runs a command in the shell, and its followers right after it, in one round trip. */
  async #inShell(
    shell: ShellSession,
    item: BatchItem,
    followers: Followers | undefined,
    o: Pick<ExecOptions, 'onOutput'>,
  ): Promise<ExecResult> {
    // A follower that needs stdin (a become password) cannot go through the shell: it is left out,
    // and so are the steps after such a step (they must not run before it).
    const itemOf = (c: Command): BatchItem | undefined => {
      const b = this.#become(c.become);
      const w = b ? wrapBecome(c, b) : { text: c.text, display: c.display, stdinPrefix: undefined };
      return w.stdinPrefix ? undefined : shellItem(w, c);
    };
    const stepItem = (s: ChainedStep): BatchItem | undefined => {
      if ('cmd' in s) return itemOf(s.cmd);
      // As write(): larger content (and privilege that needs a password) go their own ways, which a chain cannot hold.
      if ('write' in s) return this.#shellWriteItem(shell, s.write.path, s.write.content, s.write.mode, s.write.become);
      const probes = s.guard.map((g) => itemOf(g.cmd));
      if (probes.some((x) => x === undefined)) return undefined;
      const items = probes.map((x, k) => ({ text: x!.text, expect: s.guard[k]!.expect }));
      // The shell's own folder holds the guard's files (known once the shell is ready).
      return {
        text: guardScript(items, shell.dir || undefined),
        display: `check ${s.guard.map((g) => g.cmd.display).join('; ')}`,
        direct: true,
      };
    };
    const steps: BatchItem[] = [];
    const aheadFrom = followers?.aheadFrom ?? Number.POSITIVE_INFINITY;
    for (const [i, s] of (followers?.steps ?? []).entries()) {
      const x = stepItem(s);
      if (!x) break;
      steps.push({
        ...x,
        after: s.after,
        ...(i >= aheadFrom ? { cancellable: true } : {}),
        ...('cmd' in s && s.keepsCode ? { keepsCode: true } : {}),
      });
    }
    const probes = (followers?.cmds ?? []).map((c) => (c.readOnly ? itemOf(c) : undefined));
    const sent = probes.filter((x): x is BatchItem => x !== undefined);
    // Cancelled already: what was to go ahead is not sent at all (the caller runs nothing it did not get back).
    if (followers?.cancel?.aborted && steps.length > aheadFrom) steps.length = aheadFrom;
    const cancel = steps.length > aheadFrom ? followers?.cancel : undefined;
    const onAbort = () => shell.cancelAhead();
    cancel?.addEventListener('abort', onAbort, { once: true });
    const [main, ...rest] = shell.runBatch([item, ...steps, ...sent], this.#sessionContext(), o);
    const settled = (await Promise.allSettled(rest).finally(() => cancel?.removeEventListener('abort', onAbort))).map(
      (r) => (r.status === 'fulfilled' && r.value !== SKIPPED ? r.value : undefined),
    );
    const result = await main!;
    if (result === SKIPPED) throw new Error('the command shell skipped a command that had no guard');
    const ran = settled.slice(0, steps.length);
    followers?.stepsDone?.((followers.steps ?? []).map((_, i) => ran[i]));
    const answers = settled.slice(steps.length);
    let i = 0;
    followers?.done(probes.map((x) => (x ? answers[i++] : undefined)));
    return result;
  }

  #sessionContext() {
    return {
      host: this.host,
      lost: () => this.#lost,
      onDrop: (reject: (e: Error) => void) => {
        this.#pending.add(reject);
        return () => this.#pending.delete(reject);
      },
    };
  }

  /** Best effort: the command's channel is closed already; this ends what it left running. */
  async #kill(token: string, become: Become | undefined): Promise<void> {
    if (this.#lost) return;
    const cleanup: Command = { ...killTaggedCommand(token), ...(become ? { become } : {}) };
    this.#cleanups.add(cleanup);
    await this.exec(cleanup, { timeoutMs: 15_000 }).catch(() => undefined);
  }

  #sftpSession(): Promise<SFTPWrapper> {
    this.#sftp ??= this.#openWithBackoff<SFTPWrapper>((cb) => {
      // Opening the channel and starting the subsystem, then its version exchange.
      this.#trips.sent(3);
      this.#open.client.sftp(cb);
    }).then(
      (opened) => {
        const s = countingSftp(opened, this.#trips);
        s.on('close', () => {
          this.#sftp = undefined;
        });
        s.on('error', () => {
          this.#sftp = undefined;
        });
        return s;
      },
      (e: unknown) => {
        this.#sftp = undefined;
        throw e;
      },
    );
    return this.#sftp;
  }

  /**
   * Settles with `op`, or fails as soon as the connection is found lost: ssh2 leaves SFTP requests
   * in flight unanswered when the connection dies (a link cut noticed by keepalive), so the loss
   * must end them, as it ends running commands.
   */
  #untilLost<T>(op: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const onLost = (e: Error) => reject(e);
      this.#pending.add(onLost);
      op.then(
        (v) => {
          this.#pending.delete(onLost);
          resolve(v);
        },
        (e: unknown) => {
          this.#pending.delete(onLost);
          reject(e);
        },
      );
    });
  }

  #fileError(what: 'read' | 'write', path: string, e: unknown): Error {
    if (this.#lost)
      return new UnreachableError(this.host, `${this.#lost.message} while trying to ${what} ${path}`, { cause: e });
    if (e instanceof HostError) return e;
    return new FileTransferError(this.host, what, path, (e as Error).message, { cause: e });
  }

  async read(path: string, o: { become?: Become } = {}): Promise<string | null> {
    this.#check();
    const b = this.#become(o.become);
    if (b) return readWithBecome(this, path, b);
    try {
      return await this.#untilLost(this.#sftpSession().then((sftp) => sftpRead(sftp, path)));
    } catch (e) {
      throw this.#fileError('read', path, e);
    }
  }

  /** A write the command shell can run (small text; privilege only when it needs no password), else undefined. */
  #shellWriteItem(
    shell: ShellSession,
    path: string,
    content: string,
    mode: string | undefined,
    become: Become | undefined,
  ) {
    if (!fitsShellWrite(content)) return undefined;
    const b = this.#become(become);
    const o = { printfBuiltin: shell.printfBuiltin };
    return b ? shellWriteAs(path, content, mode, b, o) : shellWrite(path, content, mode, o);
  }

  async write(path: string, content: WriteContent, o: WriteOptions = {}): Promise<void> {
    this.#check();
    if (o.mode !== undefined) parseMode(o.mode);
    const b = this.#become(o.become);
    // Small text with probes to follow goes through the command shell: the write and the probes are one round trip
    // (with privilege too, when it needs no password).
    // A become password would have to go on the shell's stdin: such a write keeps its own way.
    const viaShell =
      o.followers !== undefined && typeof content === 'string' && fitsShellWrite(content) && b?.password === undefined;
    if (b && !viaShell) return writeWithBecome(this, path, content, o.mode, b);
    if (viaShell) {
      const shell = await this.#idleShell();
      this.#check();
      const cmd = shell?.idle ? this.#shellWriteItem(shell, path, content, o.mode, o.become) : undefined;
      if (shell && cmd) {
        let r: ExecResult | undefined;
        try {
          r = await this.#inShell(shell, cmd, o.followers, {});
        } catch (e) {
          // Nothing ran: the write goes through SFTP (or the privileged write command) below.
          if (!(e instanceof ShellNotStartedError)) throw this.#fileError('write', path, e);
        }
        if (r && r.code !== 0) throw this.#fileError('write', path, new Error(whyFailed(r)));
        if (r) return;
      }
      if (b) return writeWithBecome(this, path, content, o.mode, b);
    }
    try {
      await this.#untilLost(
        this.#sftpSession().then((sftp) =>
          sftpWriteAtomic(sftp, path, content, o.mode, async (from, to) => {
            const r = await this.exec(sh`mv -f -- ${from} ${to}`);
            if (r.code !== 0) throw new Error(r.stderr.trim() ? whyFailed(r) : `mv ${whyFailed(r)}`);
          }),
        ),
      );
    } catch (e) {
      throw this.#fileError('write', path, e);
    }
  }

  async close(): Promise<void> {
    if (!this.#lost) this.#lost = new UnreachableError(this.host, 'the connection was closed by stackplay');
    const shell = this.#shell;
    this.#shell = false;
    if (shell)
      void shell.then(
        (x) => x?.close(),
        () => undefined,
      );
    this.#open.close();
  }
}

/** Connects to a host over SSH; throws UnreachableError (HostKeyError when the host key is refused). */
export async function connectSsh(conn: HostConnection, o: SshOptions = {}): Promise<SshTransport> {
  const defaults = defaultKnownHosts();
  const files = o.knownHostsFiles ?? defaults.files;
  const writeFile = o.knownHostsWriteFile ?? (o.knownHostsFiles === undefined ? defaults.writeFile : undefined);
  // Only when commands will go through the shell: a connection-wide time limit keeps every command on its own channel.
  const shellAhead = (conn.shellSession ?? o.shellSession) !== false && o.commandTimeoutMs === undefined;
  const open = await openClient(conn, {
    hostKeys: {
      mode: o.hostKeyChecking ?? 'strict',
      files,
      ...(writeFile !== undefined ? { writeFile } : {}),
      ...(o.hashKnownHosts !== undefined ? { hash: o.hashKnownHosts } : {}),
      ...(o.pinnedHostKey ? { pinned: o.pinnedHostKey } : {}),
    },
    connectTimeoutMs:
      conn.connectTimeoutSec !== undefined ? conn.connectTimeoutSec * 1000 : (o.connectTimeoutMs ?? 10_000),
    keepaliveSec: conn.keepaliveSec ?? o.keepaliveSec ?? 15,
    keepaliveCountMax: conn.keepaliveCountMax ?? o.keepaliveCountMax ?? 3,
    ...(o.signal ? { signal: o.signal } : {}),
    ...(o.connectionDefaults ? { connectionDefaults: o.connectionDefaults } : {}),
    // The command shell's channel, asked for behind the key: the first command then waits a round trip less.
    ...(shellAhead ? { execAhead: sessionScript() } : {}),
  });
  return new SshTransport(conn, open, {
    maxChannels: o.maxChannels ?? 5,
    ...(o.commandTimeoutMs !== undefined ? { commandTimeoutMs: o.commandTimeoutMs } : {}),
    ...(o.shellSession !== undefined ? { shellSession: o.shellSession } : {}),
    shellStartMs: o.shellStartMs ?? o.connectTimeoutMs ?? 10_000,
    shellAhead,
  });
}
