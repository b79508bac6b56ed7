// The inventory while files are being read into it: every reader adds to one draft, so files merge as in Ansible.
import type { Diagnostic, Span } from '../errors.js';
import type { Inventory, InventoryGroup, InventoryHost } from './types.js';

/** A group named before it is known to exist: checked once every file is read. */
export interface GroupRef {
  kind: 'child' | 'vars';
  group: string;
  /** For 'child': the group whose children list names it. */
  parent?: string;
  at?: Span;
}

export interface Draft {
  inv: Inventory;
  /** Groups that some file really defines (an INI [g] or [g:children] section, or any YAML group key). */
  declared: Set<string>;
  refs: GroupRef[];
  diagnostics: Diagnostic[];
  /** group -> the hosts listed in it so far, so listing a host is O(1) (100,000 hosts in one group load in linear time). */
  members: Map<string, Set<string>>;
}

export function newDraft(): Draft {
  const d: Draft = {
    inv: { hosts: new Map(), groups: new Map(), sources: [] },
    declared: new Set(),
    refs: [],
    diagnostics: [],
    members: new Map(),
  };
  declareGroup(d, 'all');
  declareGroup(d, 'ungrouped');
  return d;
}

/** The group, created empty if new (without declaring it). */
export function ensureGroup(d: Draft, name: string, at?: Span): InventoryGroup {
  let g = d.inv.groups.get(name);
  if (!g) {
    g = { name, hosts: [], children: [], vars: {} };
    d.inv.groups.set(name, g);
  }
  if (at && !g.at) g.at = at;
  return g;
}

export function declareGroup(d: Draft, name: string, at?: Span): InventoryGroup {
  d.declared.add(name);
  return ensureGroup(d, name, at);
}

export function ensureHost(d: Draft, name: string, at?: Span): InventoryHost {
  let h = d.inv.hosts.get(name);
  if (!h) {
    h = { name, vars: {}, groups: [] };
    d.inv.hosts.set(name, h);
  }
  if (at && !h.at) h.at = at;
  return h;
}

/**
 * Lists a host directly in a group. A host listed under `all` is kept in all's own hosts (they come first
 * in the `all` pattern, as in Ansible) and still ends up in ungrouped unless some group lists it.
 */
export function addHostToGroup(d: Draft, group: string, host: string): void {
  const g = ensureGroup(d, group);
  const h = d.inv.hosts.get(host);
  let listed = d.members.get(group);
  if (!listed) {
    listed = new Set(g.hosts);
    d.members.set(group, listed);
  }
  if (!listed.has(host)) {
    listed.add(host);
    g.hosts.push(host);
  }
  if (h && group !== 'all' && !h.groups.includes(group)) h.groups.push(group);
}

export function addChild(d: Draft, parent: string, child: string, at?: Span): void {
  const p = ensureGroup(d, parent);
  ensureGroup(d, child);
  if (!p.children.includes(child)) p.children.push(child);
  if (at) {
    p.childAt ??= {};
    p.childAt[child] ??= at;
  }
}

/** Sets a var on a host or group; a later file (or a later line) wins, as in Ansible. */
export function setVar(target: InventoryHost | InventoryGroup, key: string, value: unknown, at?: Span): void {
  target.vars[key] = value;
  if (at) {
    target.varSpans ??= {};
    target.varSpans[key] = at;
  }
}
