// Keeps what a host's login rc files print (bash started by sshd reads ~/.bashrc even for a plain command) out of results.
//
// An exec channel's command runs under the user's login shell, after its rc files. The command
// text is prefixed with a random start mark written to stdout and to stderr; what either stream
// carries before its mark came from the rc files and is dropped. Ansible's command results are
// clean in the same case (its module captures the command's own output), so stackplay's are too.
import { randomBytes } from 'node:crypto';

/** A new start mark: a control character and random hex, which neither rc files nor commands print. */
export const newStartMark = (): string => `\u0001sps${randomBytes(9).toString('hex')}`;

/**
 * The command text behind a prefix that writes `mark` to both streams, on the same line, so the
 * shell's messages name the command's own line numbers and the shell still execs a last simple
 * command (its signal is reported, not 128 + N). The shell parses a line whole before it runs any
 * of it: when the text's first line is a syntax error, no mark is written and that command's
 * output is passed on whole, rc noise included. (Running the text through `eval` would avoid
 * that, but bash then names wrong line numbers and reports signals as exit codes.)
 */
export function withStartMark(text: string, mark: string): string {
  const fmt = `\\001${mark.slice(1)}`;
  return `printf '${fmt}'; printf '${fmt}' >&2; ${text}`;
}

/** One stream of an exec channel: drops what comes before the start mark, passes the rest on (all of it without a mark). */
export class AfterStartMark {
  readonly #mark: Buffer;
  /** What arrived while the mark is still awaited; undefined once it was seen (or when there is none). */
  #held: Buffer | undefined;

  constructor(
    mark: string | undefined,
    private readonly pass: (chunk: Buffer) => void,
  ) {
    this.#mark = Buffer.from(mark ?? '', 'latin1');
    if (mark) this.#held = Buffer.alloc(0);
  }

  push(chunk: Buffer): void {
    if (!this.#held) {
      this.pass(chunk);
      return;
    }
    this.#held = Buffer.concat([this.#held, chunk]);
    const at = this.#held.indexOf(this.#mark);
    if (at < 0) return;
    const rest = this.#held.subarray(at + this.#mark.length);
    this.#held = undefined;
    if (rest.length) this.pass(rest);
  }

  /**
   * The stream ended (or the command timed out). Without a mark the command never started (an
   * rc file that exits, a shell that cannot run it): all it carried is passed on, nothing is hidden.
   */
  end(): void {
    const held = this.#held;
    this.#held = undefined;
    if (held?.length) this.pass(held);
  }
}
