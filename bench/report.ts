// Formatting the benchmark's lines: the machine, times, sizes, ratios and table rows.
import { cpus, loadavg, totalmem, release } from 'node:os';

export const machine = (): string =>
  `machine: ${cpus().length} CPU (${cpus()[0]?.model ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Linux ${release()}, node ${process.version}, load average ${loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')}`;
export const secs = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
export const mb = (v: number | undefined): string => (v === undefined ? '?' : `${v.toFixed(0)} MB`);
export const ratio = (a: number, b: number): string => `${(a / b).toFixed(2)}x`;
export const row = (cells: string[]): string => `| ${cells.join(' | ')} |`;
