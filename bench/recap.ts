// Reading the recaps of the bench's runs (stackplay --output json, ansible-playbook's PLAY RECAP) and checking them.
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Measured } from './measure.js';

export interface Recap {
  changed: number;
  failed: number;
  unreachable: number;
}

/** Sums of the recap of a stackplay --output json run. */
export function stackplayRecap(m: Measured): Recap {
  const end = m.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { type: string; recap?: Record<string, Recap> })
    .find((e) => e.type === 'run:end');
  if (!end?.recap)
    throw new Error(`stackplay: no recap (exit ${m.code})\n${m.stdout.slice(-2000)}\n${m.stderr.slice(-2000)}`);
  const r = Object.values(end.recap);
  return {
    changed: r.reduce((a, x) => a + x.changed, 0),
    failed: r.reduce((a, x) => a + x.failed, 0),
    unreachable: r.reduce((a, x) => a + x.unreachable, 0),
  };
}

/** Mean time a host spent on a task of each module (host:end ms), e.g. "command 40 ms, copy 90 ms". */
export function perModule(m: Measured): string {
  const sums = new Map<string, { ms: number; n: number }>();
  for (const l of m.stdout.split('\n')) {
    if (!l.startsWith('{"type":"host:end"')) continue;
    const e = JSON.parse(l) as { task: { module: string }; ms: number };
    const x = sums.get(e.task.module) ?? { ms: 0, n: 0 };
    x.ms += e.ms;
    x.n++;
    sums.set(e.task.module, x);
  }
  return [...sums].map(([k, v]) => `${k} ${(v.ms / v.n).toFixed(0)} ms`).join(', ');
}

export function ansibleRecap(m: Measured): Recap {
  const sum = (k: string) =>
    [...m.stdout.matchAll(new RegExp(`\\b${k}=(\\d+)`, 'g'))].reduce((a, x) => a + Number(x[1]), 0);
  return { changed: sum('changed'), failed: sum('failed'), unreachable: sum('unreachable') };
}

export function check(tool: string, m: Measured, r: Recap, changed: number): void {
  if (m.code !== 0 || r.failed || r.unreachable || r.changed !== changed) {
    writeFileSync(join(tmpdir(), 'stackplay-bench-failed.txt'), `${m.stdout}\n----\n${m.stderr}`);
    throw new Error(
      `${tool}: exit ${m.code}, changed ${r.changed} (expected ${changed}), failed ${r.failed}, unreachable ${r.unreachable}\n${m.stdout.slice(-3000)}\n${m.stderr.slice(-3000)}`,
    );
  }
}
