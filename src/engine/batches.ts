// Splitting a play's hosts into phases and serial batches (DESIGN.md section 4).

/** Sizes from `serial` ("30%", 2, [1, "50%"]) for a host count; the last size repeats. */
export function batchSizes(serial: readonly (number | string)[], total: number): number[] {
  if (serial.length === 0 || total === 0) return total === 0 ? [] : [total];
  const sizes: number[] = [];
  let left = total;
  let i = 0;
  while (left > 0) {
    const spec = serial[Math.min(i, serial.length - 1)]!;
    const n =
      typeof spec === 'string' && spec.endsWith('%')
        ? Math.floor((total * Number(spec.slice(0, -1))) / 100)
        : Number(spec);
    const size = Math.min(left, Math.max(1, Number.isFinite(n) ? n : total));
    sizes.push(size);
    left -= size;
    i++;
  }
  return sizes;
}

export function splitBatches<T>(items: readonly T[], serial: readonly (number | string)[]): T[][] {
  const out: T[][] = [];
  let at = 0;
  for (const size of batchSizes(serial, items.length)) {
    out.push(items.slice(at, at + size));
    at += size;
  }
  return out;
}

export interface PhaseGroup {
  phase: string;
  hosts: string[];
}

/** Groups hosts by phase in the given phase order, keeping host order within a phase. */
export function groupByPhase(
  hosts: readonly string[],
  phaseOf: (host: string) => string,
  order: readonly string[],
): PhaseGroup[] {
  const byPhase = new Map<string, string[]>();
  for (const h of hosts) {
    const p = phaseOf(h);
    (byPhase.get(p) ?? byPhase.set(p, []).get(p)!).push(h);
  }
  const rank = (p: string) => {
    const i = order.indexOf(p);
    return i === -1 ? order.length : i;
  };
  return [...byPhase.entries()].sort((a, b) => rank(a[0]) - rank(b[0])).map(([phase, hs]) => ({ phase, hosts: hs }));
}
