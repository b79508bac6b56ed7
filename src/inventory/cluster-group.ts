// The `stackato_nodes` group a run derives: every host with a Stackato role, from a role group or stackato_roles.
import { addDerivedGroup, resolveHost } from './resolve.js';
import { rolesOf } from './roles.js';
import type { Inventory } from './types.js';

export const STACKATO_NODES = 'stackato_nodes';

/**
 * Adds `stackato_nodes` (hosts in inventory order) unless the inventory defines a group of that name or no host has a role, so
 * playbooks can target every cluster node, also hosts whose roles come only from `stackato_roles`
 * (prod.example.ini's db1/db2), and leave out hosts with no role (a NAS, a bastion). Returns its hosts.
 */
export function addStackatoNodes(inv: Inventory): string[] {
  if (inv.groups.has(STACKATO_NODES)) return [];
  const hosts = [...inv.hosts.values()]
    .filter((h) => !h.implicit && rolesOf(resolveHost(inv, h.name)).length > 0)
    .map((h) => h.name);
  // A plain Ansible inventory (no Stackato roles) gets no group: its `groups` stay exactly Ansible's.
  if (hosts.length > 0) addDerivedGroup(inv, STACKATO_NODES, hosts);
  return hosts;
}
