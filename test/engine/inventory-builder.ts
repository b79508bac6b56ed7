// Builds an Inventory in memory for engine tests: groups -> host names, plus host vars.
import type { Inventory, InventoryGroup, InventoryHost } from '../../src/inventory/types.js';

export function buildInventory(
  groups: Record<string, string[]>,
  hostVars: Record<string, Record<string, unknown>> = {},
): Inventory {
  const hosts = new Map<string, InventoryHost>();
  const gmap = new Map<string, InventoryGroup>();
  const all: InventoryGroup = { name: 'all', hosts: [], children: [], vars: {} };
  const ungrouped: InventoryGroup = { name: 'ungrouped', hosts: [], children: [], vars: {} };
  gmap.set('all', all);
  gmap.set('ungrouped', ungrouped);
  for (const [g, names] of Object.entries(groups)) {
    const group: InventoryGroup = { name: g, hosts: [...names], children: [], vars: {} };
    gmap.set(g, group);
    all.children.push(g);
    for (const n of names) {
      const h = hosts.get(n) ?? { name: n, vars: { ...hostVars[n] }, groups: [] };
      h.groups.push(g);
      hosts.set(n, h);
    }
  }
  all.children.push('ungrouped');
  return { hosts, groups: gmap, sources: ['memory'] };
}
