// The one transport interface: ssh, local, read-only (check mode) and the test fake all implement it.
import type { Become, Command } from '../command.js';

export interface ExecResult {
  /** Exit code; null when the process ended by a signal or the channel closed without one. */
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface ExecOptions {
  stdin?: string;
  /** A controller file sent on stdin after `stdin`, streamed from disk (never read whole into memory). */
  stdinFile?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
  onOutput?: (stream: 'stdout' | 'stderr', chunk: string) => void;
  /** Read-only probes to run right after this command, in the same round trip (see Followers). */
  followers?: Followers;
}

/**
 * Read-only probes a caller wants run right after a command or write, on the same host, in the
 * same round trip. A transport that can (the SSH command shell) runs them and calls `done` with
 * their results, in order, before the call itself settles; one that cannot ignores them.
 */
export interface Followers {
  /**
   * The plan's next steps, run first, in order, each only if the one before it (the call itself for
   * the first) exited with one of its `after` codes: the changes a task makes, in one round trip.
   */
  steps?: readonly ChainedStep[];
  /** Aligned with steps; undefined for one that did not run (after a failure, or left to the caller). */
  stepsDone?(results: (ExecResult | undefined)[]): void;
  /**
   * Where, in steps, the commands of later tasks begin (sent ahead: src/engine/lookahead.ts): from
   * there, `cancel` aborting stops the ones not yet started.
   */
  aheadFrom?: number;
  cancel?: AbortSignal;
  cmds: readonly Command[];
  /** Aligned with cmds; undefined for one that could not run with the others. */
  done(results: (ExecResult | undefined)[]): void;
}

/** A file on the controller that a write streams to the host; size and sha256 are checked on the way. */
export interface ControllerFile {
  /** Absolute path on the controller. */
  file: string;
  size: number;
  sha256: string;
}

/** What a write puts in a file: text held in memory (a template, inline content) or a controller file. */
export type WriteContent = string | ControllerFile;

/** What a step run after a call in its round trip does: a command, a small write, or a guard. */
export type ChainedItem =
  | {
      cmd: Command;
      /**
       * A read-only probe inside the chain (a task's re-plan probe, between its steps and the next
       * task's): it runs while the chain holds, and the step after it is guarded by the code before it.
       */
      keepsCode?: boolean;
    }
  | {
      /** Text written atomically as a write() would (too large, or privilege that needs a password: the chain stops there). */
      write: { path: string; content: string; mode?: string; become?: Become };
    }
  | {
      /**
       * Probes run again and compared with the answers a plan was made from: exit 0 when every
       * answer is the same (src/transport/guard.ts), else 1; the steps after it are guarded by that.
       */
      guard: readonly GuardedProbe[];
    };

/** A step run after a call in its round trip (see Followers.steps). */
export type ChainedStep = ChainedItem & {
  /** The exit codes of the command before it that let it run. */
  after: readonly number[];
};

/** A probe in a guard, and the answer it must give again. */
export interface GuardedProbe {
  cmd: Command;
  expect: Pick<ExecResult, 'code' | 'stdout' | 'stderr'>;
}

export interface WriteOptions {
  /** Octal mode as a string, e.g. "0644". */
  mode?: string;
  /** Write as this user (through sudo or su, the content on stdin); src/privilege.ts decides it. */
  become?: Become;
  /** Read-only probes to run right after the write, in the same round trip; see ExecOptions. */
  followers?: Followers;
}

export interface Transport {
  readonly host: string;
  /** Runs a command. A non-zero exit is a value, not an error; a lost connection throws UnreachableError. */
  exec(cmd: Command, o?: ExecOptions): Promise<ExecResult>;
  /** Reads a file; null when it does not exist. */
  read(path: string, o?: { become?: Become }): Promise<string | null>;
  /**
   * Writes atomically: a temp file beside the target, then rename. Never a half-written file. A
   * controller file is streamed, and bytes that do not match its size and sha256 are never renamed over.
   */
  write(path: string, content: WriteContent, o?: WriteOptions): Promise<void>;
  close(): Promise<void>;
  /** Round trips to the host so far, beyond connecting (src/transport/round-trips.ts); absent when not counted. */
  roundTrips?(): number;
  /** Why the connection is gone (it dropped since it was opened), or undefined while it works. */
  lostReason?(): Error | undefined;
}
