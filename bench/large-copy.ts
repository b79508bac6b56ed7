// Bench section: one 200 MB copy (random bytes) to a lab node, first run and rerun: wall time, controller peak RSS, longest NDJSON line.
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { LabState } from '../src/commands/lab.js';
import type { Measured } from './measure.js';
import { mb, row, secs } from './report.js';
import { spreadHosts, writeInventory } from './workload.js';

const SIZE_MB = 200;

/** Random bytes a MiB at a time, so the bench itself never holds the file. */
function writeRandom(file: string): void {
  const fd = openSync(file, 'w');
  try {
    for (let i = 0; i < SIZE_MB; i++) {
      const chunk = randomBytes(1024 * 1024);
      writeSync(fd, chunk);
    }
  } finally {
    closeSync(fd);
  }
}

const longestLine = (m: Measured): number => Math.max(...m.stdout.split('\n').map((l) => Buffer.byteLength(l)));

/** The section's lines; `run` runs the CLI as shipped, `changedOf` sums a run's recap (a wrong count throws). */
export async function largeCopyBench(
  s: LabState,
  work: string,
  remoteDir: string,
  run: (args: string[]) => Promise<Measured>,
  changedOf: (m: Measured) => number,
): Promise<string[]> {
  const src = join(work, 'large.bin');
  writeRandom(src);
  try {
    const inv = writeInventory(s, spreadHosts(s, 1, 'big'), join(work, 'large.ini'));
    const book = join(work, 'large.yml');
    writeFileSync(
      book,
      `- hosts: bench\n  gather_facts: false\n  tasks:\n    - copy: { src: ${src}, dest: ${remoteDir}/large.bin }\n`,
    );
    const lines = [row(['run', 'wall', 'controller peak RSS', 'longest NDJSON line'])];
    for (const [name, extra, changed] of [
      ['first run, --diff', ['--diff'], 1],
      ['rerun', [], 0],
    ] as const) {
      const m = await run(['run', book, '-i', inv, '--output', 'json', ...extra]);
      if (m.code !== 0 || changedOf(m) !== changed)
        throw new Error(`large copy ${name}: exit ${m.code}, changed ${changedOf(m)} (expected ${changed})`);
      lines.push(row([name, secs(m.wallMs), mb(m.maxRssMb), `${longestLine(m)} bytes`]));
    }
    return lines;
  } finally {
    rmSync(src, { force: true });
  }
}
