// Runs one command on an open ssh2 exec channel: stdin, output, exit status, timeout, abort, lost connection.
import type { ClientChannel } from 'ssh2';
import { UnreachableError } from '../errors.js';
import { CommandAbortedError, CommandTimeoutError } from './errors.js';
import { AfterStartMark } from './login-noise.js';
import type { ExecOptions, ExecResult } from './types.js';
import { OutputCollector } from './output.js';
import { sendStdin } from './controller-file.js';

export interface RunContext {
  host: string;
  display: string;
  stdin: string;
  /** A controller file streamed on stdin after `stdin`. */
  stdinFile?: string;
  /** Per-command limit in ms (none when undefined). */
  limit: number | undefined;
  /** The start mark the command text writes first (see login-noise.ts); output before it is dropped. */
  startMark?: string;
  /** The connection's loss, if it is gone. */
  lost(): UnreachableError | undefined;
  /** Registers a callback the transport calls when the connection drops; returns the unregister function. */
  onDrop(reject: (e: Error) => void): () => void;
}

/** What sendSignal needs from ssh2's channel internals. */
interface ChannelInternals {
  outgoing?: { id: number; state: string };
  _client?: { _protocol?: { signal(id: number, name: string): void } };
}

/**
 * Sends a "signal" request; sshd delivers it to the command's process group (closing the channel
 * alone would leave the command running). ssh2's ClientChannel.signal() sends nothing once our
 * side is no longer writable, and runChannel ends stdin at once, hence the protocol call.
 * (sshd ignores it in root sessions; see remote-kill.ts for what covers those.)
 */
function sendSignal(ch: ClientChannel, name: string): void {
  const c = ch as unknown as ChannelInternals;
  try {
    if (c.outgoing && ['open', 'eof'].includes(c.outgoing.state)) c._client?._protocol?.signal(c.outgoing.id, name);
  } catch {
    /* the channel or connection is already gone */
  }
}

/** How a channel's command ended, as far as its 'exit' event has said. */
export interface ExitRecord {
  code: number | null;
  signal: string | null;
  seen: boolean;
}

/**
 * Starts listening for the channel's 'exit' at once, in the exec callback: ssh2 emits it while
 * parsing, and when the exec reply, exit-status and close arrive in one read (a fast command
 * behind a ProxyCommand), it is emitted before an awaited caller could attach a listener.
 */
export function recordExit(ch: ClientChannel): ExitRecord {
  const rec: ExitRecord = { code: null, signal: null, seen: false };
  ch.once('exit', (c: number | null, s?: string) => {
    rec.code = c ?? null;
    rec.signal = s ?? null;
    rec.seen = true;
  });
  return rec;
}

export function runChannel(
  ch: ClientChannel,
  ctx: RunContext,
  o: ExecOptions,
  exit: ExitRecord = recordExit(ch),
): Promise<ExecResult> {
  const started = Date.now();
  return new Promise<ExecResult>((resolve, reject) => {
    const out = new OutputCollector(o.onOutput);
    const text = out.text;
    const streams = {
      stdout: new AfterStartMark(ctx.startMark, (d) => out.write('stdout', d)),
      stderr: new AfterStartMark(ctx.startMark, (d) => out.write('stderr', d)),
    };
    const endStreams = () => {
      streams.stdout.end();
      streams.stderr.end();
      out.end();
    };
    let done = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (settle: () => void) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', onAbort);
      untrack();
      settle();
    };
    const kill = () => {
      sendSignal(ch, 'KILL');
      ch.close();
    };
    const onLost = (e: Error) =>
      finish(() => reject(new UnreachableError(ctx.host, `${e.message} while running: ${ctx.display}`, { cause: e })));
    const onAbort = () => {
      kill();
      finish(() => reject(new CommandAbortedError(ctx.host, ctx.display)));
    };
    const untrack = ctx.onDrop(onLost);
    o.signal?.addEventListener('abort', onAbort, { once: true });
    const limit = ctx.limit;
    if (limit !== undefined && limit > 0) {
      timer = setTimeout(() => {
        kill();
        endStreams();
        finish(() => reject(new CommandTimeoutError(ctx.host, ctx.display, limit, text.stdout, text.stderr)));
      }, limit);
    }
    ch.on('data', (d: Buffer) => streams.stdout.push(d));
    ch.stderr.on('data', (d: Buffer) => streams.stderr.push(d));
    ch.on('error', () => {
      /* followed by close */
    });
    ch.on('close', () => {
      endStreams();
      const lost = ctx.lost();
      if (lost && !exit.seen) {
        onLost(lost);
        return;
      }
      finish(() =>
        resolve({
          code: exit.code,
          signal: exit.signal,
          stdout: text.stdout,
          stderr: text.stderr,
          ms: Date.now() - started,
        }),
      );
    });
    if (o.signal?.aborted) {
      onAbort();
      return;
    }
    sendStdin(ch, ctx.stdin, ctx.stdinFile);
  });
}
