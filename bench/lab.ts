// The benchmark's own lab (prefix spb-, subnet 10.79.0): brought up for one run and always taken down, also on a signal.
import { existsSync } from 'node:fs';
import { labDown, labUp, type LabState } from '../src/commands/lab.js';

export const BENCH_PREFIX = 'spb-';
export const BENCH_SUBNET = '10.79.0';

export async function withBenchLab<T>(
  o: { nodes: number; dir: string; log: (s: string) => void },
  fn: (s: LabState) => Promise<T>,
): Promise<T> {
  let downing: Promise<void> | undefined;
  const down = () => (downing ??= existsSync(o.dir) ? labDown({ dir: o.dir }) : Promise.resolve());
  const onSignal = (sig: NodeJS.Signals) => {
    o.log(`${sig}: taking the lab down`);
    void down().finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const t0 = performance.now();
    o.log(`lab up: ${o.nodes} nodes (${BENCH_PREFIX}*, ${BENCH_SUBNET}.0/24)`);
    const s = await labUp({
      nodes: o.nodes,
      katoVersion: '3.6.2',
      dir: o.dir,
      prefix: BENCH_PREFIX,
      subnet: BENCH_SUBNET,
    });
    o.log(`lab up took ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    return await fn(s);
  } finally {
    o.log('lab down');
    await down();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
