// One long-lived shell per SSH connection that runs short commands without opening an SSH session for each.
//
// Why: every exec channel costs sshd a session (fork, PAM on real nodes, a login shell) and
// the controller several round trips; through this shell a command costs one subshell. The
// command text goes in on the shell's stdin; its output goes to files of its own (so a daemon it
// leaves behind can never write into a later command's output), then comes back framed by a
// random marker that commands cannot know.
import { randomBytes } from 'node:crypto';
import type { Client, ClientChannel } from 'ssh2';
import { UnreachableError } from '../errors.js';
import { OutputCollector } from './output.js';
import type { ExecOptions, ExecResult } from './types.js';

/**
 * The shell's loop, run by the user's login shell (as an exec would be, so commands see the same
 * shell, environment and home folder). Its first input line is the end marker (on stdin, not in
 * its command line, where any local user could read it). Each request is then a header
 * `ID LINES` and that many lines of command text; the command runs in a subshell of the login
 * shell (cd, exports and traps do not leak) with stdin from /dev/null, as an exec channel whose
 * stdin is closed at once. The script is one line, so the shell's messages name the command's
 * own line numbers ("line 1"), as under `sh -c`.
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
    // Ready on both streams: what the login's rc files printed comes before it on each.
    `printf '%sready\\n' "$__sp_m"; printf '%sready\\n' "$__sp_m" >&2;`,
    'while IFS= read -r __sp_h; do',
    '__sp_id=${__sp_h%% *}; __sp_n=${__sp_h#* }; __sp_s=; __sp_i=0;',
    'while [ "$__sp_i" -lt "$__sp_n" ]; do IFS= read -r __sp_l || exit 0; __sp_s="$__sp_s$__sp_l$__sp_nl"; __sp_i=$((__sp_i + 1)); done;',
    // The text went out with a newline added after its last line: take it off again (a final backslash stays one).
    '(set -- "${__sp_s%?}"; unset __sp_h __sp_id __sp_n __sp_s __sp_i __sp_l __sp_rc __sp_d __sp_m __sp_nl; eval "shift; $1") </dev/null >"$__sp_d/$__sp_id.o" 2>"$__sp_d/$__sp_id.e";',
    '__sp_rc=$?;',
    '[ -s "$__sp_d/$__sp_id.o" ] && cat "$__sp_d/$__sp_id.o";',
    `printf '%s%s:%s\\n' "$__sp_m" "$__sp_id" "$__sp_rc";`,
    '[ -s "$__sp_d/$__sp_id.e" ] && cat "$__sp_d/$__sp_id.e" >&2;',
    `printf '%s%s\\n' "$__sp_m" "$__sp_id" >&2;`,
    // Emptied at once (a builtin, no fork): the output, which may hold secrets, stays on disk no longer than needed.
    ': >"$__sp_d/$__sp_id.o"; : >"$__sp_d/$__sp_id.e";',
    // The files themselves stay until then: a background process may still hold them open.
    '[ $((__sp_id % 200)) -eq 0 ] && rm -f "$__sp_d"/*;',
    'done; exit 0',
  ].join(' ');
}

/** Bytes of one stream of the running command, and whether its end marker has arrived. */
class Framed {
  #chunks: Buffer[] = [];
  #size = 0;
  #tail = Buffer.alloc(0);
  #done: { content: Buffer; value: string } | undefined;
  constructor(readonly end: RegExp) {}

  push(b: Buffer): void {
    this.#chunks.push(b);
    this.#size += b.length;
    this.#tail = Buffer.concat([this.#tail, b]).subarray(-128);
    // The marker is the last thing the shell writes for a command, so only the tail can hold it.
    const m = b.includes(10) ? this.end.exec(this.#tail.toString('latin1')) : null;
    if (!m) return;
    const all = Buffer.concat(this.#chunks, this.#size);
    this.#done = { content: all.subarray(0, all.length - Buffer.byteLength(m[0], 'latin1')), value: m[1] ?? '' };
  }

  /** The content before the marker line and what the marker carried, once the marker has arrived. */
  done(): { content: Buffer; value: string } | undefined {
    return this.#done;
  }
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
}

/** Stands for a stream whose ready line has arrived. */
const READY = '\u0000ready';

export class ShellSession {
  readonly #ch: ClientChannel;
  readonly #mark: string;
  #seq = 0;
  #running: Running | undefined;
  #closed = false;

  private constructor(ch: ClientChannel, mark: string) {
    this.#ch = ch;
    this.#mark = mark;
    ch.on('data', (d: Buffer) => {
      this.#running?.out.push(d);
      this.#check();
    });
    ch.stderr.on('data', (d: Buffer) => {
      this.#running?.err.push(d);
      this.#check();
    });
    ch.on('error', () => {
      /* followed by close */
    });
    ch.on('close', () => {
      this.#closed = true;
      // The shell died under a command (it killed its own process group, say): its outcome is unknown.
      this.#running?.settle({ code: null });
    });
  }

  /** Starts the shell; resolves once it said it is ready, rejects when it cannot start (no mktemp, a restricted shell). */
  static open(client: Client, timeoutMs: number): Promise<ShellSession> {
    const mark = `\u0001spm${randomBytes(12).toString('hex')}`;
    return new Promise((resolve, reject) => {
      let ch: ClientChannel | undefined;
      const fail = (why: string) => {
        clearTimeout(timer);
        ch?.removeAllListeners('data');
        ch?.close();
        reject(new Error(why));
      };
      // Also covers a channel open that is never answered.
      const timer = setTimeout(() => fail('the command shell did not start in time'), timeoutMs);
      client.exec(sessionScript(), (err, opened) => {
        if (err) {
          clearTimeout(timer);
          reject(err);
          return;
        }
        ch = opened;
        // Anything before the ready line on either stream (a chatty .bashrc) is dropped. The two
        // streams arrive independently: a command is sent only once both said ready, so late rc
        // output on stderr can never be taken for the first command's.
        const seen = { out: '', err: '' };
        const ready = (stream: 'out' | 'err') => (d: Buffer) => {
          if (seen[stream] === READY) return;
          seen[stream] = (seen[stream] + d.toString('latin1')).slice(-200);
          if (seen[stream].includes(`${mark}ready\n`)) seen[stream] = READY;
          if (seen.out !== READY || seen.err !== READY) return;
          clearTimeout(timer);
          opened.off('data', onData);
          opened.stderr.off('data', onErr);
          opened.off('close', onClose);
          resolve(new ShellSession(opened, mark));
        };
        const onData = ready('out');
        const onErr = ready('err');
        const onClose = () => fail('the command shell ended before it was ready');
        opened.on('data', onData);
        opened.stderr.on('data', onErr);
        opened.once('close', onClose);
        opened.write(`${mark}\n`);
      });
    });
  }

  /** Whether it can take a command now (one at a time; callers use an exec channel meanwhile). */
  get idle(): boolean {
    return !this.#closed && !this.#running;
  }
  get closed(): boolean {
    return this.#closed;
  }

  run(text: string, ctx: SessionContext, o: Pick<ExecOptions, 'onOutput'> = {}): Promise<ExecResult> {
    if (!this.idle) throw new Error('the command shell is busy');
    const started = Date.now();
    const id = ++this.#seq;
    const escaped = this.#mark.replace(/[^\w]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
    const out = new Framed(new RegExp(`${escaped}${id}:(\\d+)\\n$`));
    const err = new Framed(new RegExp(`${escaped}${id}\\n$`));
    return new Promise<ExecResult>((resolve, reject) => {
      const untrack = ctx.onDrop((e) => {
        this.#running = undefined;
        reject(new UnreachableError(ctx.host, `${e.message} while running: ${ctx.display}`, { cause: e }));
      });
      const finish = (code: number | null, stdout: Buffer, stderr: Buffer) => {
        untrack();
        this.#running = undefined;
        const collect = new OutputCollector(o.onOutput);
        collect.write('stdout', stdout);
        collect.write('stderr', stderr);
        collect.end();
        resolve({
          code,
          signal: null,
          stdout: collect.text.stdout,
          stderr: collect.text.stderr,
          ms: Date.now() - started,
        });
      };
      this.#running = {
        out,
        err,
        settle: ({ code }) => {
          const lost = ctx.lost();
          if (lost) {
            untrack();
            this.#running = undefined;
            reject(new UnreachableError(ctx.host, `${lost.message} while running: ${ctx.display}`, { cause: lost }));
            return;
          }
          const o2 = out.done();
          const e2 = err.done();
          if (o2 && e2) {
            finish(Number(o2.value), o2.content, e2.content);
            return;
          }
          finish(code, o2?.content ?? Buffer.alloc(0), e2?.content ?? Buffer.alloc(0));
        },
      };
      const lines = text.split('\n');
      this.#ch.write(`${id} ${lines.length}\n${text}\n`);
    });
  }

  #check(): void {
    const r = this.#running;
    if (r?.out.done() && r.err.done()) r.settle({ code: null });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#ch.end();
    } catch {
      /* the connection is gone */
    }
  }
}
