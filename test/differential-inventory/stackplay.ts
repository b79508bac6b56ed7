// stackplay's answers for the same cases: the inventory as `stackplay inventory --list --json` prints it, and a pattern's hosts as a play gets them.
import { inventoryListObject } from '../../src/commands/inventory.js';
import { loadInventories } from '../../src/inventory/load.js';
import { selectHosts } from '../../src/inventory/pattern.js';

/** What both sides are compared on for an inventory: parsed or not, groups with hosts and children, host vars with their types. */
export interface InventoryView {
  ok: boolean;
  groups?: Record<string, unknown>;
  hostvars?: Record<string, Record<string, unknown>>;
  types?: Record<string, Record<string, string>>;
}

/** What both sides are compared on for a pattern: accepted or not, and the hosts in order. */
export interface PatternView {
  ok: boolean;
  hosts?: string[];
}

/** The Python type name a JSON-ish value would have after ansible read it (a whole number is an int). */
export function pyType(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'string') return 'str';
  return Array.isArray(v) ? 'list' : 'dict';
}

export function listView(list: Record<string, unknown>): Omit<InventoryView, 'ok' | 'types'> {
  const { _meta, ...groups } = list as { _meta: { hostvars: Record<string, Record<string, unknown>> } };
  return { groups, hostvars: _meta.hostvars };
}

export function stackplayInventory(file: string): InventoryView {
  const { inventory, diagnostics } = loadInventories([file]);
  if (diagnostics.some((d) => d.severity === 'error')) return { ok: false };
  const view = listView(inventoryListObject(inventory));
  const types = Object.fromEntries(
    Object.entries(view.hostvars!).map(([h, vars]) => [
      h,
      Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, pyType(v)])),
    ]),
  );
  return { ok: true, ...view, types };
}

export function stackplayPattern(file: string, pattern: string): PatternView {
  const { inventory, diagnostics } = loadInventories([file]);
  if (diagnostics.some((d) => d.severity === 'error')) return { ok: false };
  const sel = selectHosts(inventory, pattern);
  if (sel.diagnostics.some((d) => d.severity === 'error')) return { ok: false };
  return { ok: true, hosts: sel.hosts };
}
