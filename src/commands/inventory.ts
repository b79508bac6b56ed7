// `stackplay inventory` output: --list (Ansible's JSON or a readable listing) and --graph (the group tree with roles and phases).
import { markedSecretNames, SECRET_VAR } from '../report/redact.js';
import { MAGIC_VARS, resolveHost } from '../inventory/resolve.js';
import { phaseLabel, phaseOf, rolesOf } from '../inventory/roles.js';
import type { Inventory } from '../inventory/types.js';

export const MASK = '********';

/** ansible_password, ansible_ssh_pass, *_password, *_secret, *_token, ...: one rule, shared with the run's redaction. */
export const isSecretKey = (key: string): boolean => SECRET_VAR.test(key);

/** A copy of vars with secret values masked (by name, or listed in `marked`), nested dicts included. */
export function maskSecrets(value: unknown, key = '', marked: ReadonlySet<string> = new Set()): unknown {
  if (key && (isSecretKey(key) || marked.has(key)) && value !== undefined && value !== null && value !== '')
    return MASK;
  if (Array.isArray(value)) return value.map((v) => maskSecrets(v, '', marked));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskSecrets(v, k, marked)]));
  }
  return value;
}

/** Names marked secret with `stackplay_secret_vars` anywhere in the inventory: secret on every host. */
const markedIn = (inv: Inventory): Set<string> =>
  new Set([...inv.hosts.values(), ...inv.groups.values()].flatMap((x) => markedSecretNames(x.vars)));

const magic = new Set<string>(MAGIC_VARS);

/** A host's merged vars as a listing shows them: no magic vars, secrets masked. */
function shownVars(inv: Inventory, host: string, marked: ReadonlySet<string>): Record<string, unknown> {
  const vars = Object.fromEntries(Object.entries(resolveHost(inv, host).vars).filter(([k]) => !magic.has(k)));
  return maskSecrets(vars, '', marked) as Record<string, unknown>;
}

/** The same object `ansible-inventory --list` prints: groups with hosts/children, merged vars in _meta.hostvars. */
export function inventoryListObject(inv: Inventory): Record<string, unknown> {
  // Entries, then fromEntries: a host or group named __proto__ or constructor stays an ordinary key.
  const hostvars: [string, Record<string, unknown>][] = [];
  const marked = markedIn(inv);
  for (const name of inv.hosts.keys()) {
    const vars = shownVars(inv, name, marked);
    if (Object.keys(vars).length) hostvars.push([name, vars]);
  }
  const out: [string, unknown][] = [['_meta', { hostvars: Object.fromEntries(hostvars) }]];
  const seen = new Set<string>(['all']);
  const visit = (name: string): void => {
    const g = inv.groups.get(name);
    if (!g) return;
    const entry: { hosts?: string[]; children?: string[] } = {};
    if (name !== 'all' && g.hosts.length) entry.hosts = [...g.hosts];
    if (g.children.length) entry.children = [...g.children];
    if (entry.hosts || entry.children) out.push([name, entry]);
    for (const c of g.children) {
      if (seen.has(c)) continue;
      seen.add(c);
      visit(c);
    }
  };
  visit('all');
  return Object.fromEntries(out);
}

const show = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

/** `--list`: JSON like ansible-inventory, or with json=false one block per host with groups, roles and vars. */
export function renderInventoryList(inv: Inventory, opts: { json: boolean }): string {
  if (opts.json) return JSON.stringify(inventoryListObject(inv), null, 2);
  const blocks: string[] = [];
  const marked = markedIn(inv);
  for (const name of inv.hosts.keys()) {
    const resolved = resolveHost(inv, name);
    const groups = resolved.vars.group_names as string[];
    const lines = [name, `  groups: ${groups.length ? groups.join(', ') : 'ungrouped'}`];
    const roles = rolesOf(resolved);
    if (roles.length) lines.push(`  roles: ${roles.join(', ')} (phase ${phaseLabel(phaseOf(resolved))})`);
    const vars = Object.entries(shownVars(inv, name, marked));
    if (vars.length) lines.push('  vars:', ...vars.map(([k, v]) => `    ${k}: ${show(v)}`));
    blocks.push(lines.join('\n'));
  }
  return blocks.length ? blocks.join('\n\n') : '(no hosts)';
}

const graphLine = (text: string, depth: number): string => (depth ? `${'  |'.repeat(depth)}--${text}` : text);
const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * `--graph`: the `@all:` tree as ansible-inventory draws it (children and hosts sorted by name); hosts
 * with roles get `[roles; phase N name]`. With vars, each group's and host's own vars follow it, masked.
 */
export function renderInventoryGraph(inv: Inventory, opts: { vars?: boolean } = {}): string {
  const lines: string[] = [];
  const marked = markedIn(inv);
  const showVars = (vars: Record<string, unknown>, depth: number): void => {
    if (!opts.vars) return;
    for (const [k, v] of Object.entries(maskSecrets(vars, '', marked) as Record<string, unknown>).sort(([a], [b]) =>
      byName(a, b),
    )) {
      lines.push(graphLine(`{${k} = ${show(v)}}`, depth));
    }
  };
  const drawGroup = (name: string, depth: number, path: Set<string>): void => {
    const g = inv.groups.get(name);
    if (!g) return;
    lines.push(graphLine(`@${name}:`, depth));
    if (path.has(name)) return; // a cycle: reported at load; draw it once
    const inner = new Set([...path, name]);
    for (const c of [...g.children].sort(byName)) drawGroup(c, depth + 1, inner);
    for (const h of name === 'all' ? [] : [...g.hosts].sort(byName)) {
      const resolved = resolveHost(inv, h);
      const roles = rolesOf(resolved);
      lines.push(
        graphLine(roles.length ? `${h}  [${roles.join(', ')}; phase ${phaseLabel(phaseOf(resolved))}]` : h, depth + 1),
      );
      showVars(inv.hosts.get(h)?.vars ?? {}, depth + 2);
    }
    showVars(g.vars, depth + 1);
  };
  drawGroup('all', 0, new Set());
  return lines.join('\n');
}
