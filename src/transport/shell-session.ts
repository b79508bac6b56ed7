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
 * shell, environment and home folder). Each request is a header `ID LINES` and that many lines of
 * command text; the command runs in a subshell of the login shell (cd, exports and traps do not
 * leak) with stdin from /dev/null, as an exec channel whose stdin is closed at once. Differences
 * from an exec channel, none of which stackplay's own commands rely on: `$$` is the command
 * shell's PID, and a command killed by a signal reports 128 + the signal's number, as a shell
 * sees it, where an exec channel reports the signal's name.
 */
export function sessionScript(mark: string): string {
  return [
    '__sp_d=$(mktemp -d 2>/dev/null) || exit 97',
    "trap 'rm -rf \"$__sp_d\"' EXIT",
    "trap 'exit 129' HUP",
    "trap 'exit 143' TERM",
    `printf '%s\\n' '${mark}ready'`,
    'while IFS= read -r __sp_h; do',
    '  __sp_id=${__sp_h%% *}; __sp_n=${__sp_h#* }; __sp_s=; __sp_i=0',
    '  while [ "$__sp_i" -lt "$__sp_n" ]; do',
    '    IFS= read -r __sp_l || exit 0',
    '    __sp_s="$__sp_s$__sp_l',
    '"',
    '    __sp_i=$((__sp_i + 1))',
    '  done',
    // A subshell (a fork, no new shell to start: the cheapest way to run it) that sees none of the
    // loop's variables and no positional parameters, as under `sh -c`.
    '  (set -- "$__sp_s"; unset __sp_h __sp_id __sp_n __sp_s __sp_i __sp_l __sp_rc __sp_d; eval "shift; $1") </dev/null >"$__sp_d/$__sp_id.o" 2>"$__sp_d/$__sp_id.e"',
    '  __sp_rc=$?',
    '  [ -s "$__sp_d/$__sp_id.o" ] && cat "$__sp_d/$__sp_id.o"',
    `  printf '%s\\n' "${mark}$__sp_id:$__sp_rc"`,
    '  [ -s "$__sp_d/$__sp_id.e" ] && cat "$__sp_d/$__sp_id.e" >&2',
    `  printf '%s\\n' "${mark}$__sp_id" >&2`,
    // Emptied at once (a builtin, no fork): the output, which may hold secrets, stays on disk no longer than needed.
    '  : >"$__sp_d/$__sp_id.o"; : >"$__sp_d/$__sp_id.e"',
    // Output files stay until then: a background process may still hold them open.
    '  [ $((__sp_id % 200)) -eq 0 ] && rm -f "$__sp_d"/*',
    'done',
  ].join('\n');
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

interface Running { out: Framed; err: Framed; settle: (r: { code: number | null }) => void }

export class ShellSession {
  readonly #ch: ClientChannel;
  readonly #mark: string;
  #seq = 0;
  #running: Running | undefined;
  #closed = false;

  private constructor(ch: ClientChannel, mark: string) {
    this.#ch = ch;
    this.#mark = mark;
    ch.on('data', (d: Buffer) => { this.#running?.out.push(d); this.#check(); });
    ch.stderr.on('data', (d: Buffer) => { this.#running?.err.push(d); this.#check(); });
    ch.on('error', () => { /* followed by close */ });
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
      client.exec(sessionScript(mark), (err, ch) => {
        if (err) { reject(err); return; }
        let seen = '';
        const fail = (why: string) => { clearTimeout(timer); ch.removeAllListeners('data'); ch.close(); reject(new Error(why)); };
        const timer = setTimeout(() => fail('the command shell did not start in time'), timeoutMs);
        // Anything before the ready line (a chatty .bashrc) is dropped.
        const onData = (d: Buffer) => {
          seen = (seen + d.toString('latin1')).slice(-200);
          if (!seen.includes(`${mark}ready\n`)) return;
          clearTimeout(timer);
          ch.off('data', onData);
          ch.off('close', onClose);
          resolve(new ShellSession(ch, mark));
        };
        const onClose = () => fail('the command shell ended before it was ready');
        ch.on('data', onData);
        ch.once('close', onClose);
        ch.stderr.on('data', () => { /* startup noise */ });
      });
    });
  }

  /** Whether it can take a command now (one at a time; callers use an exec channel meanwhile). */
  get idle(): boolean { return !this.#closed && !this.#running; }
  get closed(): boolean { return this.#closed; }

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
        resolve({ code, signal: null, stdout: collect.text.stdout, stderr: collect.text.stderr, ms: Date.now() - started });
      };
      this.#running = {
        out, err,
        settle: ({ code }) => {
          const lost = ctx.lost();
          if (lost) { untrack(); this.#running = undefined; reject(new UnreachableError(ctx.host, `${lost.message} while running: ${ctx.display}`, { cause: lost })); return; }
          const o2 = out.done();
          const e2 = err.done();
          if (o2 && e2) { finish(Number(o2.value), o2.content, e2.content); return; }
          finish(code, o2?.content ?? Buffer.alloc(0), e2?.content ?? Buffer.alloc(0));
        },
      };
      const lines = text.split('\n');
      this.#ch.write(`${id} ${lines.length}\n${text}\n`);
    });
  }

  #check(): void {
    const r = this.#running;
    if (r && r.out.done() && r.err.done()) r.settle({ code: null });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try { this.#ch.end(); } catch { /* the connection is gone */ }
  }
}
