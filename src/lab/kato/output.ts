// Output formats shared by kato commands: JSON (-j), YAML (-y) and aligned text.
import { stringify } from 'yaml';
import { flag, type Parsed } from './args.js';

export type Format = 'json' | 'yaml' | 'text';

export const formatOf = (p: Parsed, fallback: Format = 'text'): Format =>
  flag(p, 'json') ? 'json' : flag(p, 'yaml') ? 'yaml' : fallback;

export function render(data: unknown, format: 'json' | 'yaml'): string {
  return format === 'json' ? `${JSON.stringify(data, null, 2)}\n` : stringify(data);
}

/** Columns padded to the widest cell (the last column is not padded). */
export function columns(rows: readonly (readonly string[])[]): string {
  if (!rows.length) return '';
  const widths: number[] = [];
  for (const r of rows)
    r.forEach((c, i) => {
      widths[i] = Math.max(widths[i] ?? 0, c.length);
    });
  return `${rows
    .map((r) =>
      r
        .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')}\n`;
}
