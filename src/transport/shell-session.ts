// One long-lived shell per SSH connection that runs short commands without opening an SSH session for each.
//
// Why: every exec channel costs sshd a session (fork, PAM on real nodes, a login shell) and
// the controller several round trips; through this shell a command costs one subshell. The
// command text goes in on the shell's stdin; its output goes to files of its own (so a daemon it
// leaves behind can never write into a later command's output), except a read-only probe's, a
// guard's or a write's, which leave nothing running and go straight to the shell's streams; it
// comes back framed by a random marker that commands cannot know.
import { randomBytes } from 'node:crypto';
import type { ClientChannel } from 'ssh2';
import { quote } from '../command.js';
import { UnreachableError } from '../errors.js';
import { OutputCollector } from './output.js';
import type { RoundTrips } from './round-trips.js';
import type { ExecChannel } from './session-ahead.js';
import type { ExecOptions, ExecResult } from './types.js';
import { Framed } from './framed.js';

/**
 * A command in its subshell, without the loop's variables. (Not a shell function: bash would name
 * it, not the shell, in the command's error messages.)
 */
const RUN =
  '(set -- "${__sp_s%?}"; unset __sp_h __sp_id __sp_n __sp_s __sp_i __sp_l __sp_rc __sp_d __sp_m __sp_nl __sp_g __sp_k __sp_c __sp_o; eval "shift; $1") </dev/null';

/**
 * The shell's loop, run by the user's login shell (as an exec would be, so commands see the same
 * shell, environment and home folder). Its first input line is the end marker (on stdin, not in
 * its command line, where any local user could read it). Each request is then a header
 * `ID LINES` and that many lines of command text; the command runs in a subshell of the login
 * shell (cd, exports and traps do not leak) with stdin from /dev/null, as an exec channel whose
 * stdin is closed at once. The script is one line, so the shell's messages name the command's
 * own line numbers ("line 1"), as under `sh -c`. A header ending in ` o` (after the guard's codes,
 * or `-` for none) marks a command that leaves nothing running behind (a read-only probe, a guard,
 * a write): its output goes straight to the shell's own streams, which spares the node two files
 * and a `cat` for it.
 *
 * Differences from an exec channel, none of which stackplay's own commands rely on: `$$` is the
 * command shell's PID; a command killed by a signal reports 128 + the signal's number, as a shell
 * sees it, where an exec channel reports the signal's name; the login environment (~/.bashrc,
 * the user's groups) is read once, when the shell starts, not for every command; output arrives
 * when the command ends, not while it runs; a syntax error in the text is reported by `eval:`
 * where `sh -c` says `-c:`.
 */ export function sessionScript(): string {
  return [
    'IFS= read -r __sp_m || exit 96;',
    '__sp_d=$(mktemp -d 2>/dev/null) || exit 97;',
    "__sp_nl=$(printf '\\nx'); __sp_nl=${__sp_nl%x};",
    `trap 'rm -rf "$__sp_d"' EXIT; trap 'exit 129' HUP; trap 'exit 143' TERM;`,
    // Whether printf is built in (shell writes then need no process for the content), found without a process either.
    // Only the very line bash, dash, busybox, zsh and ksh93 print: a program's path may hold the word too.
    'LC_ALL=C command -V printf >"$__sp_d/p" 2>&1; IFS= read -r __sp_c <"$__sp_d/p"; case $__sp_c in "printf is a shell builtin") __sp_c=p;; *) __sp_c=-;; esac;',
    // Ready on both streams: what the login's rc files printed comes before it on each.
    `printf '%sready %s %s\\n' "$__sp_m" "$__sp_c" "$__sp_d"; printf '%sready\\n' "$__sp_m" >&2;`,
    'while IFS= read -r __sp_h; do',
    // A header `ID LINES CODES` (a guarded step) runs only if the command before it exited with one of CODES.
    '__sp_id=${__sp_h%% *}; __sp_n=${__sp_h#* }; __sp_g=; __sp_s=; __sp_i=0; __sp_k=; __sp_o=;',
    'case $__sp_n in *" "*) __sp_g=",${__sp_n#* },"; __sp_n=${__sp_n%% *};; esac;',
    // A step marked `o` (a read-only probe, a guard, a write) writes straight to the shell's streams.
    'case $__sp_g in *" o,") __sp_g="${__sp_g% o,},"; __sp_o=1;; esac; [ "$__sp_g" = ",-," ] && __sp_g=;',
    // A step marked `p` (a probe inside the chain) leaves the chain's code as it was: the next step is guarded by the one before it.
    `case $__sp_g in *" p,") __sp_g="\${__sp_g% p,},"; __sp_k=\${__sp_rc-0};; esac;`,
    // A step marked `c` (a later task's command, sent ahead) is skipped once the controller cancelled: a stop file.
    `case $__sp_g in *" c,") __sp_g="\${__sp_g% c,},"; [ -e "$__sp_d/stop" ] && __sp_g=,stop,;; esac;`,
    'while [ "$__sp_i" -lt "$__sp_n" ]; do IFS= read -r __sp_l || exit 0; __sp_s="$__sp_s$__sp_l$__sp_nl"; __sp_i=$((__sp_i + 1)); done;',
    'case $__sp_g in "") ;; *",$__sp_rc,"*) __sp_g=;; *) __sp_g=skip;; esac;',
    // The text went out with a newline added after its last line: take it off again (a final backslash stays one).
    'if [ -n "$__sp_g" ]; then __sp_rc=skip; __sp_c=skip; else',
    `if [ -n "$__sp_o" ]; then ${RUN}; else ${RUN} >"$__sp_d/$__sp_id.o" 2>"$__sp_d/$__sp_id.e"; fi;`,
    '__sp_rc=$?; __sp_c=$__sp_rc; [ -n "$__sp_k" ] && __sp_rc=$__sp_k; fi;',
    '[ -s "$__sp_d/$__sp_id.o" ] && cat "$__sp_d/$__sp_id.o";',
    `printf '%s%s:%s\\n' "$__sp_m" "$__sp_id" "$__sp_c";`,
    '[ -s "$__sp_d/$__sp_id.e" ] && cat "$__sp_d/$__sp_id.e" >&2;',
    `printf '%s%s\\n' "$__sp_m" "$__sp_id" >&2;`,
    // Emptied at once (a builtin, no fork): the output, which may hold secrets, stays on disk no longer than needed.
    // >| as the user's rc files may have set noclobber.
    '[ -n "$__sp_o" ] || { : >|"$__sp_d/$__sp_id.o"; : >|"$__sp_d/$__sp_id.e"; };',
    // The files themselves stay until then: a background process may still hold them open.
    '[ $((__sp_id % 200)) -eq 0 ] && rm -f "$__sp_d"/*;',
    'done; exit 0',
  ].join(' ');
}

export interface SessionContext {
  host: string;
  display: string;
  /** The connection's loss, if it is gone. */
  lost(): UnreachableError | undefined;
  /** Registers a callback the transport calls when the connection drops; returns the unregister function. */
  onDrop(reject: (e: Error) => void): () => void;
}

interface Running {
  out: Framed;
  err: Framed;
  settle: (r: { code: number | null }) => void;
  notStarted: () => void;
  fail: (e: Error) => void;
}

/**
 * The shell ended by itself before its loop began: nothing sent to it ran, so the caller may run
 * the same commands elsewhere.
 */
export class ShellNotStartedError extends Error {}

/** How many start times a shell that has commands waiting gets before it is given up. */
const LATE_FACTOR = 6;

/** One command of a batch: what runs and how it is named in errors. */
export interface BatchItem {
  text: string;
  display: string;
  /** A guarded step: it runs only if the command before it exited with one of these codes, else it is skipped. */
  after?: readonly number[];
  /** A guarded step that `cancelAhead` stops (a later task's command, sent ahead of its turn). */
  cancellable?: boolean;
  /** A guarded read-only probe: the step after it is guarded by the code of the one before it. */
  keepsCode?: boolean;
  /**
   * Its output comes straight from the shell's streams, not from files of its own (each new file
   * costs the node an inode): for read-only probes and stackplay's own scripts (guards, writes),
   * which leave nothing running that could write into a later command's output.
   */
  direct?: boolean;
  /** Its output, when it has come (the first command's goes to runBatch's onOutput). */
  onOutput?: ExecOptions['onOutput'];
}

/** What a batch gives for a guarded step the shell skipped (the one before it failed). */
export const SKIPPED = Symbol('skipped');

export class ShellSession {
  readonly #ch: ClientChannel;
  readonly #mark: string;
  readonly #trips: RoundTrips | undefined;
  #seq = 0;
  /** The commands sent and not yet answered, in the order the shell runs them. */
  #queue: Running[] = [];
  #closed = false;
  /**
   * What each stream brought before its ready line (the login's rc noise, dropped), until that line
   * has come; undefined for a stream past it. Commands go in before it: they are read only once the
   * loop runs, and their output follows the ready line on each stream.
   */
  #before: { out?: string; err?: string } = { out: '', err: '' };
  #dir = '';
  #printfBuiltin = false;
  #cancelWanted = false;
  #closedByUs = false;
  /** Past its start time without its ready lines: not given new commands. */
  #late = false;
  #timer: NodeJS.Timeout;

  private constructor(
    ch: ClientChannel,
    mark: string,
    trips: RoundTrips | undefined,
    /** Runs a command beside the shell (the transport's exec channel, through its channel limit). */
    readonly sideExec: (text: string) => void,
    timeoutMs: number,
  ) {
    this.#ch = ch;
    this.#mark = mark;
    this.#trips = trips;
    ch.on('data', (d: Buffer) => this.#feed('out', d));
    ch.stderr.on('data', (d: Buffer) => this.#feed('err', d));
    ch.on('error', () => {
      /* followed by close */
    });
    ch.on('close', () => this.#ended());
    // A shell slow to start (a heavy rc file, a busy machine) is not used for other commands once
    // its time is up; what was sent to it may still run once it starts. One that never starts
    // (an rc file waiting for input) is given up after LATE_FACTOR times that: what it was sent
    // then fails with its outcome unknown, as it may have begun meanwhile.
    this.#timer = setTimeout(() => {
      if (this.#started()) return;
      if (this.#queue.length === 0) {
        this.#giveUp();
        return;
      }
      this.#late = true;
      this.#timer = setTimeout(
        () => {
          if (this.#started()) return;
          const e = new Error(
            `the command shell did not start within ${Math.round((timeoutMs * LATE_FACTOR) / 1000)} s`,
          );
          for (const r of [...this.#queue]) r.fail(e);
          this.#giveUp();
        },
        timeoutMs * (LATE_FACTOR - 1),
      );
      this.#timer.unref();
    }, timeoutMs);
    this.#timer.unref();
  }

  #started(): boolean {
    return this.#before.out === undefined && this.#before.err === undefined;
  }

  #giveUp(): void {
    this.#closed = true;
    this.#closedByUs = true;
    try {
      this.#ch.close();
    } catch {
      /* the connection is gone */
    }
  }

  /** The shell's own folder (where cancelAhead leaves its stop file); '' until its ready line came. */
  get dir(): string {
    return this.#dir;
  }

  /** Whether the login shell has printf built in; false until its ready line came. */
  get printfBuiltin(): boolean {
    return this.#printfBuiltin;
  }

  /** Whether it ended before its loop began (a server that cannot run it: no mktemp, a restricted shell). */
  get neverStarted(): boolean {
    return this.#closed && this.#before.out !== undefined;
  }

  #ended(): void {
    clearTimeout(this.#timer);
    this.#closed = true;
    const queued = [...this.#queue];
    // The shell ended by itself before stdout's ready line (which it writes before its loop and
    // which would have come before the end): nothing sent ran. Closed by us, a ready line may have
    // been on its way: the outcome is unknown.
    if (this.#before.out !== undefined && !this.#closedByUs) for (const r of queued) r.notStarted();
    // The shell died under a command (it killed its own process group, say): its outcome is unknown.
    else for (const r of queued) r.settle({ code: null });
  }

  /**
   * Starts the shell: resolves once its channel is open, without waiting for the shell to say it is
   * ready (that would cost a round trip before the first command); rejects when no channel opens.
   */
  static open(
    exec: ExecChannel,
    timeoutMs: number,
    sideExec: (text: string) => void,
    trips?: RoundTrips,
  ): Promise<ShellSession> {
    const mark = `\u0001spm${randomBytes(12).toString('hex')}`;
    return new Promise((resolve, reject) => {
      let settled = false;
      // A channel open that is never answered.
      const timer = setTimeout(() => {
        settled = true;
        reject(new Error('the command shell did not start in time'));
      }, timeoutMs);
      exec(sessionScript(), (err, opened) => {
        clearTimeout(timer);
        if (settled) {
          if (!err) opened.close();
          return;
        }
        if (err) {
          reject(err);
          return;
        }
        const session = new ShellSession(opened, mark, trips, sideExec, timeoutMs);
        opened.write(`${mark}\n`);
        resolve(session);
      });
    });
  }

  /** Whether it can take a command now (one batch at a time; callers use an exec channel meanwhile). */
  get idle(): boolean {
    return !this.#closed && !this.#late && this.#queue.length === 0;
  }
  get closed(): boolean {
    return this.#closed;
  }

  run(text: string, ctx: SessionContext, o: Pick<ExecOptions, 'onOutput'> = {}): Promise<ExecResult> {
    return this.runBatch([{ text, display: ctx.display }], ctx, o)[0]! as Promise<ExecResult>;
  }

  /**
   * Sends the commands in one write (one round trip); the shell runs them one after the other, as
   * if sent one by one. The first one's output goes to `onOutput`. A guarded step (`after`) runs
   * only if the one before it succeeded by its codes (else it gives SKIPPED, and so do the guarded
   * steps after it); the others run whatever came before: a caller puts only read-only probes there.
   */
  runBatch(
    items: readonly BatchItem[],
    ctx: Omit<SessionContext, 'display'>,
    o: Pick<ExecOptions, 'onOutput'> = {},
  ): Promise<ExecResult | typeof SKIPPED>[] {
    if (!this.idle) throw new Error('the command shell is busy');
    const started = Date.now();
    let request = '';
    const results = items.map((item, index) => {
      const id = ++this.#seq;
      const out = new Framed(Buffer.from(`${this.#mark}${id}:`, 'latin1'), true);
      const err = new Framed(Buffer.from(`${this.#mark}${id}\n`, 'latin1'), false);
      const lines = item.text.split('\n');
      const guard = item.after
        ? ` ${item.after.map((c) => Math.trunc(c)).join(',')}${item.cancellable ? ' c' : ''}${item.keepsCode ? ' p' : ''}`
        : '';
      const direct = item.direct ? `${item.after ? '' : ' -'} o` : '';
      request += `${id} ${lines.length}${guard}${direct}\n${item.text}\n`;
      return new Promise<ExecResult | typeof SKIPPED>((resolve, reject) => {
        const running: Running = {
          out,
          err,
          settle: () => undefined,
          notStarted: () => undefined,
          fail: () => undefined,
        };
        const leave = () => {
          untrack();
          this.#queue = this.#queue.filter((r) => r !== running);
        };
        const untrack = ctx.onDrop((e) => {
          leave();
          reject(new UnreachableError(ctx.host, `${e.message} while running: ${item.display}`, { cause: e }));
        });
        running.fail = (e) => {
          leave();
          reject(
            new UnreachableError(ctx.host, `${e.message}; whether it ran is unknown: ${item.display}`, { cause: e }),
          );
        };
        running.notStarted = () => {
          leave();
          reject(new ShellNotStartedError(`the command shell ended before it was ready: ${item.display} did not run`));
        };
        running.settle = ({ code }) => {
          leave();
          const lost = ctx.lost();
          if (lost) {
            reject(new UnreachableError(ctx.host, `${lost.message} while running: ${item.display}`, { cause: lost }));
            return;
          }
          const o2 = out.done();
          const e2 = err.done();
          if (o2?.value === 'skip') {
            resolve(SKIPPED);
            return;
          }
          const collect = new OutputCollector(index === 0 ? o.onOutput : item.onOutput);
          collect.write('stdout', o2?.content ?? Buffer.alloc(0));
          collect.write('stderr', e2?.content ?? Buffer.alloc(0));
          collect.end();
          resolve({
            code: o2 && e2 ? Number(o2.value) : code,
            signal: null,
            stdout: collect.text.stdout,
            stderr: collect.text.stderr,
            ms: Date.now() - started,
          });
        };
        this.#queue.push(running);
      });
    });
    this.#trips?.sent();
    this.#ch.write(request);
    return results;
  }

  /** Gives a stream's bytes to the commands in order: past one's end marker they are the next one's. */
  #feed(stream: 'out' | 'err', d: Buffer): void {
    let rest: Buffer | undefined = this.#pastReady(stream, d);
    for (const r of this.#queue) {
      if (!rest) break;
      rest = r[stream].push(rest);
    }
    for (;;) {
      const head = this.#queue[0];
      if (!head?.out.done() || !head.err.done()) return;
      head.settle({ code: null });
    }
  }

  /**
   * Drops what a stream brought before its ready line (anything a chatty .bashrc printed: it comes
   * before that line on each stream); returns the bytes after it, the commands' own.
   */
  #pastReady(stream: 'out' | 'err', d: Buffer): Buffer | undefined {
    const before = this.#before[stream];
    if (before === undefined) return d;
    const seen = before + d.toString('latin1');
    const line = stream === 'out' ? `${this.#mark}ready ` : `${this.#mark}ready\n`;
    const at = seen.indexOf(line);
    if (at < 0) {
      this.#before[stream] = seen.slice(-4200);
      return undefined;
    }
    let rest = seen.slice(at + line.length);
    if (stream === 'out') {
      // stdout's ready line says whether printf is built in (p or -), then names the shell's own folder.
      const nl = rest.indexOf('\n');
      if (nl < 0) {
        this.#before.out = seen.slice(at);
        return undefined;
      }
      this.#printfBuiltin = rest.startsWith('p ');
      this.#dir = Buffer.from(rest.slice(2, nl), 'latin1').toString();
      rest = rest.slice(nl + 1);
    }
    this.#before[stream] = undefined;
    if (this.#started()) clearTimeout(this.#timer);
    if (stream === 'out' && this.#cancelWanted) this.cancelAhead();
    return rest.length > 0 ? Buffer.from(rest, 'latin1') : undefined;
  }

  /**
   * Stops the cancellable steps not yet started: a stop file in the shell's folder, left through
   * another channel (the shell's input is queued behind them). One that already runs ends as it would.
   */
  cancelAhead(): void {
    if (this.#closed) return;
    // Before the ready line the folder is not known yet; the loop has not begun, so nothing ran: once it says ready.
    if (this.#dir === '') {
      this.#cancelWanted = true;
      return;
    }
    this.sideExec(`: > ${quote(`${this.#dir}/stop`)}`);
  }

  close(): void {
    if (this.#closed) return;
    clearTimeout(this.#timer);
    this.#closed = true;
    this.#closedByUs = true;
    try {
      this.#ch.end();
    } catch {
      /* the connection is gone */
    }
  }
}
