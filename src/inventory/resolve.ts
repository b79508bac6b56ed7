// A host's groups (ancestors included) and its vars merged in Ansible's precedence, plus magic vars.
import type { Inventory, ResolvedHost } from './types.js';

interface GroupIndex {
  parents: Map<string, string[]>;
  depth: Map<string, number>;
  /** group -> every host in it or its descendants, in Ansible's order (hostsInOrder). */
  members: Map<string, string[]>;
  /** The same as a frozen record, shared by every resolved host as its `groups` var. */
  groupsVar: Readonly<Record<string, readonly string[]>>;
}

// A loaded inventory is read-only, so its group index is computed once.
const indexes = new WeakMap<Inventory, GroupIndex>();

function buildIndex(inv: Inventory): GroupIndex {
  const parents = new Map<string, string[]>();
  for (const g of inv.groups.values()) {
    for (const c of g.children) parents.set(c, [...(parents.get(c) ?? []), g.name]);
  }
  // Depth is the longest path from all, as Ansible computes it; `guard` stops on cycles (reported at load).
  const depth = new Map<string, number>();
  const depthOf = (name: string, guard: Set<string>): number => {
    const known = depth.get(name);
    if (known !== undefined) return known;
    if (name === 'all' || guard.has(name)) return 0;
    guard.add(name);
    const d = Math.max(0, ...(parents.get(name) ?? []).map((p) => depthOf(p, guard) + 1));
    guard.delete(name);
    depth.set(name, d);
    return d;
  };
  for (const name of inv.groups.keys()) depthOf(name, new Set());
  const members = new Map<string, string[]>();
  for (const name of inv.groups.keys()) members.set(name, hostsInOrder(inv, name));
  const groupsVar = Object.freeze(Object.fromEntries([...members].map(([g, hosts]) => [g, Object.freeze([...hosts])])));
  return { parents, depth, members, groupsVar };
}

/**
 * A group's hosts in Ansible's order (Group.get_hosts): its own hosts first, then its children's in the
 * order they were listed, then each deeper level of descendants; a host only once.
 */
function hostsInOrder(inv: Inventory, name: string): string[] {
  const kids = (g: string) => inv.groups.get(g)?.children ?? [];
  const ordered = [name, ...kids(name)];
  const seen = new Set(ordered);
  for (let level = kids(name); level.length; ) {
    const next: string[] = [];
    for (const g of level)
      for (const c of kids(g))
        if (!seen.has(c)) {
          seen.add(c);
          ordered.push(c);
          next.push(c);
        }
    level = next;
  }
  const hosts = new Set<string>();
  for (const g of ordered) for (const h of inv.groups.get(g)?.hosts ?? []) hosts.add(h);
  return [...hosts];
}

/** Adds a group stackplay derives at load (run only) to a loaded inventory; its index is then rebuilt. */
export function addDerivedGroup(inv: Inventory, name: string, hosts: readonly string[]): void {
  inv.groups.set(name, { name, hosts: [...hosts], children: [], vars: {} });
  for (const h of hosts) inv.hosts.get(h)?.groups.push(name);
  indexes.delete(inv);
}

function indexOf(inv: Inventory): GroupIndex {
  let idx = indexes.get(inv);
  if (!idx) {
    idx = buildIndex(inv);
    indexes.set(inv, idx);
  }
  return idx;
}

/** Every host in a group or its descendants, own hosts first (as Ansible orders them); [] for an unknown group. */
export function groupHosts(inv: Inventory, group: string): string[] {
  return [...(indexOf(inv).members.get(group) ?? [])];
}

/** The group -> hosts map Ansible exposes as the `groups` magic var (frozen, shared). */
export function groupsMap(inv: Inventory): Readonly<Record<string, readonly string[]>> {
  return indexOf(inv).groupsVar;
}

const priorityOf = (vars: Record<string, unknown>): number => {
  const p = Number(vars.ansible_group_priority ?? 1);
  return Number.isFinite(p) ? p : 1;
};

/** A host's groups (with ancestors and all) ordered from weakest to strongest for var precedence. */
export function hostGroups(inv: Inventory, name: string): string[] {
  const idx = indexOf(inv);
  const found = new Set<string>(['all']);
  const climb = (g: string): void => {
    if (found.has(g)) return;
    found.add(g);
    (idx.parents.get(g) ?? []).forEach(climb);
  };
  inv.hosts.get(name)?.groups.forEach(climb);
  const rank = (g: string): [number, number] => [idx.depth.get(g) ?? 0, priorityOf(inv.groups.get(g)?.vars ?? {})];
  return [...found].sort((a, b) => {
    if (a === 'all' || b === 'all') return a === 'all' ? -1 : 1;
    const [da, pa] = rank(a);
    const [db, pb] = rank(b);
    return da - db || pa - pb || (a < b ? -1 : a > b ? 1 : 0);
  });
}

/** Magic vars that resolveHost adds; renderers leave them out of listings. */
export const MAGIC_VARS = ['inventory_hostname', 'inventory_hostname_short', 'group_names', 'groups'] as const;

/**
 * A host as the engine sees it: vars of all < parent groups < child groups (by depth, then
 * ansible_group_priority, then name) < host vars, then the magic vars. Throws for an unknown host
 * (callers take names from the inventory, so that is a bug).
 */
export function resolveHost(inv: Inventory, name: string): ResolvedHost {
  const host = inv.hosts.get(name);
  if (!host) throw new Error(`resolveHost: no host "${name}" in the inventory`);
  const groups = hostGroups(inv, name);
  const vars: Record<string, unknown> = {};
  for (const g of groups) Object.assign(vars, inv.groups.get(g)?.vars);
  // A group's ansible_group_priority orders the groups; like Ansible, it is not a var of its hosts.
  delete vars.ansible_group_priority;
  Object.assign(vars, host.vars);
  vars.inventory_hostname = name;
  vars.inventory_hostname_short = name.split('.')[0];
  vars.group_names = groups.filter((g) => g !== 'all' && g !== 'ungrouped').sort();
  vars.groups = groupsMap(inv);
  return { name, groups, vars };
}
