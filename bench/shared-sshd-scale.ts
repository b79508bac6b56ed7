// The scale section over shared sshds: thousands of inventory hosts mapped onto a few loopback sshds (stock MaxStartups).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSshd, type Sshd } from '../test/helpers/sshd.js';
import type { Measured } from './measure.js';
import { check, perModule, stackplayRecap } from './recap.js';
import { mb, row, secs } from './report.js';
import { writePlaybook } from './workload.js';

export interface SharedScaleOptions {
  work: string;
  /** Inventory sizes to run, e.g. [200, 500, 2000]. */
  counts: number[];
  /** How many sshds the hosts are spread over (round-robin). */
  sshds: number;
  forks: number;
  stackplay: (args: string[]) => Promise<Measured>;
  log: (s: string) => void;
}

/** An INI inventory of `count` hosts, host i reaching sshd i mod K on 127.0.0.1 (each its own connection). */
function writeSharedInventory(servers: Sshd[], count: number, file: string): string {
  const width = String(count).length;
  const lines = ['[bench]'];
  for (let i = 0; i < count; i++) {
    const vars = servers[i % servers.length]!.inventoryVars();
    const cells = Object.entries(vars).map(([k, v]) => `${k}='${v}'`);
    lines.push(`x${String(i + 1).padStart(width, '0')} ${cells.join(' ')}`);
  }
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/** Markdown lines: per inventory size, wall time, the controller's peak RSS and both per host. */
export async function sharedSshdScale(o: SharedScaleOptions): Promise<string[]> {
  const servers: Sshd[] = [];
  try {
    for (let i = 0; i < o.sshds; i++) servers.push(await startSshd({ maxStartups: '10:30:100' }));
    const lines = [
      `${o.sshds} sshds on 127.0.0.1 (stock MaxStartups 10:30:100), inventory hosts spread round-robin over them, each host its own connection; 10 tasks per host (5 command: true, 5 copies), forks ${o.forks}, first run`,
      row(['hosts', 'wall', 'wall per host', 'controller peak RSS', 'RSS per host', 'mean host time per task']),
      row(Array(6).fill('---')),
    ];
    for (const n of o.counts) {
      const dir = join(o.work, `shared${n}`);
      mkdirSync(dir, { recursive: true });
      const inv = writeSharedInventory(servers, n, join(o.work, `shared${n}.ini`));
      const book = writePlaybook(join(o.work, `shared${n}.yml`), { commands: 5, copies: 5, dir });
      o.log(`shared sshds: ${n} hosts`);
      const m = await o.stackplay(['run', book, '-i', inv, '-f', String(o.forks), '--output', 'json']);
      check(`shared sshds ${n}`, m, stackplayRecap(m), n * 5);
      const rss = m.maxRssMb;
      lines.push(
        row([
          String(n),
          secs(m.wallMs),
          `${(m.wallMs / n).toFixed(1)} ms`,
          mb(rss),
          rss === undefined ? '?' : `${((rss * 1024) / n).toFixed(0)} KB`,
          perModule(m),
        ]),
      );
    }
    return lines;
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
}
