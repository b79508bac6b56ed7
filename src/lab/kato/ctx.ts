// What every kato command gets: the version's flavor, the node's identity and state, output and input.
import type { Flavor } from './flavor.js';
import type { Identity, LocalState } from './node.js';

export interface Prompt {
  /** Prints the question and reads one line from stdin; null at end of input. */
  ask(question: string, o?: { secret?: boolean }): Promise<string | null>;
}

export interface Ctx {
  flavor: Flavor;
  id: Identity;
  state: LocalState;
  /** The node's current address (eth0). */
  ip: string;
  out: (text: string) => void;
  err: (text: string) => void;
  prompt: Prompt;
  env: NodeJS.ProcessEnv;
  /** The sudo password once asked for (kato asks at most once per command). */
  sudoPassword?: string;
}

/** Reads stdin line by line on demand; the rest of the input stays buffered for the next question. */
export function stdinPrompt(out: (s: string) => void): Prompt {
  const lines: string[] = [];
  let partial = '';
  let ended = false;
  let wake: (() => void) | null = null;
  let started = false;
  const start = () => {
    started = true;
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (d: string) => {
      partial += d;
      const parts = partial.split('\n');
      partial = parts.pop() ?? '';
      lines.push(...parts.map((l) => l.replace(/\r$/, '')));
      wake?.();
    });
    process.stdin.on('end', () => {
      if (partial) lines.push(partial);
      partial = '';
      ended = true;
      wake?.();
    });
  };
  return {
    async ask(question, o = {}) {
      out(question);
      if (!started) start();
      process.stdin.resume();
      while (!lines.length && !ended)
        await new Promise<void>((r) => {
          wake = r;
        });
      wake = null;
      process.stdin.pause();
      const line = lines.shift();
      if (line === undefined) {
        out('\n');
        return null;
      }
      // A piped answer is echoed as a terminal would show it; a password never is.
      if (!process.stdin.isTTY) out(o.secret ? '\n' : `${line}\n`);
      return line;
    },
  };
}

/** Answers from a list, for tests. */
export function scriptedPrompt(answers: readonly (string | null)[], out: (s: string) => void = () => {}): Prompt {
  const queue = [...answers];
  return {
    async ask(q) {
      out(q);
      return queue.length ? queue.shift()! : null;
    },
  };
}
