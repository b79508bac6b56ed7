// Transport failures that are neither "unreachable" nor a command's own exit code.
import { HostError } from '../errors.js';

/** A command ran past its time limit and was killed; carries what it printed so far. */
export class CommandTimeoutError extends HostError {
  constructor(
    host: string,
    display: string,
    readonly timeoutMs: number,
    readonly stdout: string,
    readonly stderr: string,
  ) {
    super('E_TIMEOUT', host, `command timed out after ${formatSeconds(timeoutMs)} and was killed: ${display}`);
  }
}

/** The caller's AbortSignal fired while a command ran (e.g. Ctrl-C). */
export class CommandAbortedError extends HostError {
  constructor(host: string, display: string) {
    super('E_INTERRUPTED', host, `interrupted while running: ${display}`);
  }
}

/** A file could not be read or written for a reason other than "absent". */
export class FileTransferError extends HostError {
  constructor(host: string, what: 'read' | 'write', path: string, why: string, options?: { cause?: unknown }) {
    super(what === 'read' ? 'E_READ' : 'E_WRITE', host, `cannot ${what} ${path}: ${why}`, options);
  }
}

export const formatSeconds = (ms: number): string => {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(1)}s`;
};
