// A ProxyCommand that delays every chunk by half an RTT each way and counts round trips (the bench's user-space netem).
//
//   node delay-proxy.mjs RTT_MS COUNT_DIR -- COMMAND...   (COMMAND is the real proxy, run through sh -c)
//
// stdin/stdout face the controller (ssh, ssh2), COMMAND's stdin/stdout face the node. Each chunk is held for
// RTT/2 ms by a timer and then written, in arrival order. A round trip is counted when a chunk from the node
// arrives and the chunk before it (either way) came from the controller: the controller spoke, then heard back.
// At start the proxy writes COUNT_DIR/PID.start, at exit COUNT_DIR/PID.json ({ roundTrips, up, down } in bytes).
import { spawn } from 'node:child_process';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';

/**
 * Turns of the conversation: node->controller data right after controller->node data. With
 * `answerMs` (half the RTT: the least time a request takes to reach the node), node data that
 * arrives sooner after the turn's first controller chunk was sent before the node could have seen
 * it (a server's own message, late on a busy machine): it answers nothing, and the turn stays open.
 */
export class RoundTrips {
  count = 0;
  up = 0;
  down = 0;
  #last: 'up' | 'down' | undefined;
  #askedAt = 0;

  constructor(readonly answerMs = 0) {}

  fromController(bytes: number, at = performance.now()): void {
    this.up += bytes;
    if (this.#last !== 'up') this.#askedAt = at;
    this.#last = 'up';
  }

  fromNode(bytes: number, at = performance.now()): void {
    this.down += bytes;
    if (this.#last === 'up' && at - this.#askedAt < this.answerMs) return;
    if (this.#last === 'up') this.count++;
    this.#last = 'down';
  }
}

/**
 * Copies `from` to `to`, each chunk `delayMs` after it arrived, in order; `onChunk` sees each chunk as it
 * arrives. Resolves once `from` ended and every held chunk is written (`to` is then ended).
 */
export function delayedPipe(
  from: Readable,
  to: Writable,
  delayMs: number,
  onChunk: (c: Buffer) => void = () => {},
): Promise<void> {
  const held: { due: number; chunk: Buffer }[] = [];
  let timer: NodeJS.Timeout | undefined;
  let ended = false;
  return new Promise((resolve) => {
    const finish = () => {
      if (ended && held.length === 0 && !timer) {
        if (!to.destroyed) to.end();
        resolve();
      }
    };
    const flush = () => {
      timer = undefined;
      const now = performance.now();
      while (held.length && held[0]!.due <= now) {
        const c = held.shift()!.chunk;
        if (!to.destroyed) to.write(c);
      }
      if (held.length) timer = setTimeout(flush, held[0]!.due - now);
      finish();
    };
    from.on('data', (chunk: Buffer) => {
      onChunk(chunk);
      held.push({ due: performance.now() + delayMs, chunk });
      timer ??= setTimeout(flush, delayMs);
    });
    from.on('end', () => {
      ended = true;
      finish();
    });
    from.on('close', () => {
      ended = true;
      finish();
    });
    from.on('error', () => {
      ended = true;
      finish();
    });
  });
}

/** Writes DIR/ID.json ({ roundTrips, up, down }) whole or not at all: the bench may list the folder at any moment. */
export function writeCount(dir: string, id: string, trips: RoundTrips): void {
  const file = join(dir, `${id}.json`);
  writeFileSync(`${file}.tmp`, JSON.stringify({ roundTrips: trips.count, up: trips.up, down: trips.down }));
  renameSync(`${file}.tmp`, file);
}

function main(argv: string[]): void {
  const sep = argv.indexOf('--');
  const rtt = Number(argv[0]);
  const dir = argv[1];
  if (sep !== 2 || !Number.isFinite(rtt) || rtt < 0 || !dir || sep === argv.length - 1) {
    process.stderr.write('usage: delay-proxy RTT_MS COUNT_DIR -- COMMAND...\n');
    process.exit(2);
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${process.pid}.start`), '');
  const trips = new RoundTrips(rtt / 2);
  let written = false;
  const record = () => {
    if (written) return;
    written = true;
    writeCount(dir, String(process.pid), trips);
  };
  process.on('exit', record);
  const child = spawn('sh', ['-c', argv.slice(sep + 1).join(' ')], { stdio: ['pipe', 'pipe', 'inherit'] });
  const stop = () => {
    child.kill('SIGTERM');
    process.exit(0);
  };
  for (const sig of ['SIGTERM', 'SIGHUP', 'SIGINT'] as const) process.on(sig, stop);
  child.stdin.on('error', () => {});
  process.stdout.on('error', stop);
  const half = rtt / 2;
  void delayedPipe(process.stdin, child.stdin, half, (c) => trips.fromController(c.length));
  // The node side ended (socat exited, sshd closed): deliver what is held, then leave.
  void delayedPipe(child.stdout, process.stdout, half, (c) => trips.fromNode(c.length)).then(() => {
    record();
    child.kill('SIGTERM');
    process.stdout.once('finish', () => process.exit(0));
    if (process.stdout.writableFinished) process.exit(0);
  });
  // The controller closed its side: delayedPipe delivers the held chunks and ends the command's stdin; once
  // the command ends, its stdout closes and the pipe above lets us go (the timer is a backstop).
  child.on('exit', () => {
    setTimeout(() => process.exit(0), half + 1000).unref();
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main(process.argv.slice(2));
