// Every host of a run resolved once at load time: merged vars and one checked connection (address, user, become).
import type { Diagnostic, Span } from '../errors.js';
import type { Inventory, ResolvedHost } from '../inventory/types.js';
import { hostGroups, resolveHost } from '../inventory/resolve.js';
import { ConnectionVarError, connectionOf, type ConnectionDefaults } from '../transport/connection.js';

/** Where the var that won for `host` was written: the host's own line, else the strongest group setting it. */
function varSpan(inv: Inventory, host: string, name: string | undefined): Span | undefined {
  const h = inv.hosts.get(host);
  if (name !== undefined) {
    if (h?.varSpans && Object.hasOwn(h.varSpans, name)) return h.varSpans[name];
    for (const g of hostGroups(inv, host).reverse()) {
      const group = inv.groups.get(g);
      if (group && Object.hasOwn(group.vars, name)) return group.varSpans?.[name] ?? group.at;
    }
  }
  return h?.at;
}

/**
 * Resolves every host and its connection. A connection var that cannot be used is one diagnostic
 * (exit 4, nothing connects); a group var wrong for many hosts is reported once, at the group.
 * Extra vars (-e) win over the inventory for the connection too, as in Ansible; a bad one is
 * reported once, naming -e.
 */
export function resolveHosts(
  inv: Inventory,
  defaults?: ConnectionDefaults,
  extraVars: Record<string, unknown> = {},
  extraOrigins: Record<string, string> = {},
): { hosts: Map<string, ResolvedHost>; diagnostics: Diagnostic[] } {
  const hosts = new Map<string, ResolvedHost>();
  const diagnostics: Diagnostic[] = [];
  const reported = new Set<string>();
  for (const name of inv.hosts.keys()) {
    const resolved = resolveHost(inv, name);
    try {
      const withExtra = Object.keys(extraVars).length
        ? { ...resolved, vars: { ...resolved.vars, ...extraVars } }
        : resolved;
      resolved.connection = connectionOf(withExtra, defaults);
    } catch (e) {
      if (!(e instanceof ConnectionVarError)) throw e;
      const fromExtra = e.varName !== undefined && Object.hasOwn(extraVars, e.varName);
      const at = fromExtra
        ? { file: extraOrigins[e.varName!] ?? '-e', line: 1, col: 1 }
        : varSpan(inv, name, e.varName);
      const key = at ? `${at.file}:${at.line}:${at.col}` : name;
      if (!reported.has(key)) {
        reported.add(key);
        diagnostics.push(...e.diagnostics.map((d) => (at ? { ...d, at } : d)));
      }
    }
    hosts.set(name, resolved);
  }
  return { hosts, diagnostics };
}
