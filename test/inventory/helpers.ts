// Shared test helpers for the inventory tests: plain snapshots and in-memory loading.
import { join } from 'node:path';
import { formatDiagnostic, type Diagnostic } from '../../src/errors.js';
import { loadInventoryTexts } from '../../src/inventory/load.js';
import type { Inventory } from '../../src/inventory/types.js';

export const FIXTURES = join('test', 'fixtures', 'inventory');

export interface InventorySnapshot {
  hosts: Record<string, { groups: string[]; vars: Record<string, unknown> }>;
  groups: Record<string, { hosts: string[]; children: string[]; vars: Record<string, unknown> }>;
}

/** The inventory as plain JSON, without spans. */
export function snapshot(inv: Inventory): InventorySnapshot {
  return {
    hosts: Object.fromEntries([...inv.hosts.values()].map((h) => [h.name, { groups: h.groups, vars: h.vars }])),
    groups: Object.fromEntries(
      [...inv.groups.values()].map((g) => [g.name, { hosts: g.hosts, children: g.children, vars: g.vars }]),
    ),
  };
}

/** Loads inventory text held in memory; the file name picks the format. */
export const loadText = (text: string, file = 'inline.ini') => loadInventoryTexts([{ file, text }]);

export const formatAll = (ds: Diagnostic[]): string => ds.map((d) => formatDiagnostic(d)).join('\n\n');
