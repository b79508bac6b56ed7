// Shared by the tests of the bench's delaying proxies: a count folder, what it holds, and echoes through a proxy timed against its RTT.
import type { ExecutionContext } from 'ava';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { waitUntil } from './wait.js';

/** A fresh count folder, removed after the test. */
export function countDir(t: ExecutionContext, prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The counts written so far (one a connection that ended). */
export const counts = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as { roundTrips: number; up: number; down: number });

/** How many connections came (one .start file each). */
export const starts = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.start')).length;

/** Writes each word and waits for its echo, each at least `rttMs` apart (a lower bound, never a speed assertion). */
export async function echoEach(
  t: ExecutionContext,
  input: Writable,
  out: () => string,
  words: readonly string[],
  rttMs: number,
): Promise<void> {
  for (const word of words) {
    const before = out().length;
    const at = performance.now();
    input.write(word);
    t.true(await waitUntil(() => out().length >= before + word.length), `no echo of ${word}`);
    // Half the RTT each way: at least the whole RTT passes (5 ms of timer slack).
    t.true(performance.now() - at >= rttMs - 5, `${word} came back early`);
  }
}
