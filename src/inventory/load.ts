// Loads one or more inventory files (INI or YAML) into one Inventory, merged as Ansible merges several -i.
import { extname } from 'node:path';
import { diag, type Diagnostic, type Span } from '../errors.js';
import { readText } from '../load/source.js';
import { registerSecrets, secretsOfLayers } from '../report/redact.js';
import { didYouMean } from '../suggest.js';
import { addChild, newDraft, type Draft } from './draft.js';
import { readIniInventory } from './ini.js';
import type { Inventory } from './types.js';
import { readYamlInventory } from './yaml.js';

export type InventoryFormat = 'ini' | 'yaml';

/** .yml/.yaml/.json are YAML, .ini/.cfg INI; anything else is sniffed from its first meaningful line. */
export function detectFormat(file: string, text: string): InventoryFormat {
  const ext = extname(file).toLowerCase();
  if (ext === '.yml' || ext === '.yaml' || ext === '.json') return 'yaml';
  if (ext === '.ini' || ext === '.cfg') return 'ini';
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    if (line.startsWith('[')) return 'ini';
    if (line === '---' || line.startsWith('{')) return 'yaml';
    // `all:` or `web: {...}` is YAML; `web1:2222 ansible_user=x` is an INI host with a port.
    return /^[^\s=:]+:(\s|$)/.test(line) ? 'yaml' : 'ini';
  }
  return 'ini';
}

function checkRefs(d: Draft): void {
  for (const ref of d.refs) {
    if (d.declared.has(ref.group)) continue;
    const hint =
      didYouMean(ref.group, d.declared) ??
      `define it with a [${ref.group}] section (it may be empty), or remove this line`;
    d.diagnostics.push(
      ref.kind === 'child'
        ? diag(
            'E_INVENTORY_UNDEFINED_GROUP',
            `[${ref.parent}:children] lists group "${ref.group}", which no inventory file defines`,
            ref.at,
            hint,
          )
        : diag(
            'E_INVENTORY_UNDEFINED_GROUP',
            `[${ref.group}:vars] sets vars of group "${ref.group}", which no inventory file defines`,
            ref.at,
            hint,
          ),
    );
  }
}

/** Hosts in no group go to ungrouped; hosts that are in some group leave it (as Ansible's reconcile does). */
function placeUngrouped(inv: Inventory): void {
  const ungrouped = inv.groups.get('ungrouped')!;
  for (const host of inv.hosts.values()) {
    const real = host.groups.filter((g) => g !== 'ungrouped' && g !== 'all');
    host.groups = real.length ? real : ['ungrouped'];
  }
  ungrouped.hosts = [...inv.hosts.values()].filter((h) => h.groups.includes('ungrouped')).map((h) => h.name);
}

/** Every group without a parent becomes a child of all, ungrouped first. */
function attachToAll(d: Draft): void {
  const hasParent = new Set<string>();
  for (const g of d.inv.groups.values()) for (const c of g.children) hasParent.add(c);
  for (const g of d.inv.groups.values()) {
    if (g.name !== 'all' && !hasParent.has(g.name)) addChild(d, 'all', g.name);
  }
}

/** Reports each cycle among groups once, naming its path, at the child line that closes it. */
export function findCycles(inv: Inventory): Diagnostic[] {
  const out: Diagnostic[] = [];
  const done = new Set<string>();
  const seen = new Set<string>();
  const stack: string[] = [];
  const visit = (name: string): void => {
    if (done.has(name)) return;
    const open = stack.indexOf(name);
    if (open >= 0) {
      const path = [...stack.slice(open), name];
      const key = [...new Set(path)].sort().join('\0');
      if (seen.has(key)) return;
      seen.add(key);
      let at: Span | undefined;
      for (let i = path.length - 2; i >= 0 && !at; i--) at = inv.groups.get(path[i]!)?.childAt?.[path[i + 1]!];
      out.push(
        diag(
          'E_INVENTORY_CYCLE',
          `groups contain each other: ${path.join(' -> ')}`,
          at,
          `a group cannot be its own ancestor; remove "${path[path.length - 1]}" from the children of "${path[path.length - 2]}"`,
        ),
      );
      return;
    }
    stack.push(name);
    for (const child of inv.groups.get(name)?.children ?? []) visit(child);
    stack.pop();
    done.add(name);
  };
  for (const name of inv.groups.keys()) visit(name);
  return out;
}

function nameClashes(inv: Inventory): Diagnostic[] {
  return [...inv.hosts.values()]
    .filter((h) => inv.groups.has(h.name))
    .map((h) => ({
      severity: 'warning' as const,
      code: 'E_INVENTORY_NAME_CLASH',
      message: `"${h.name}" is both a host and a group; patterns naming it select the group`,
      ...(h.at ? { at: h.at } : {}),
      hint: 'rename the host or the group',
    }));
}

/** Reads one file into the draft, choosing the reader by extension or content. */
export function readInventoryFile(file: string, d: Draft): void {
  d.inv.sources.push(file);
  const read = readText(file);
  if ('error' in read) {
    d.diagnostics.push(read.error);
    return;
  }
  if (detectFormat(file, read.text) === 'yaml') readYamlInventory(file, read.text, d);
  else readIniInventory(file, read.text, d);
}

/** Checks and completes a draft once every file is read: references, ungrouped, all, cycles. */
export function finishDraft(d: Draft): { inventory: Inventory; diagnostics: Diagnostic[] } {
  checkRefs(d);
  placeUngrouped(d.inv);
  attachToAll(d);
  const all = d.inv.groups.get('all')!;
  all.children = ['ungrouped', ...all.children.filter((c) => c !== 'ungrouped')];
  // Whatever reads this inventory next, its secrets are masked in every output from now on.
  registerSecrets(
    secretsOfLayers([
      ...[...d.inv.hosts.values()].map((h) => h.vars),
      ...[...d.inv.groups.values()].map((g) => g.vars),
    ]),
  );
  return { inventory: d.inv, diagnostics: [...d.diagnostics, ...findCycles(d.inv), ...nameClashes(d.inv)] };
}

/** Loads inventory files in order; later files add to earlier ones and win on conflicting vars. */
export function loadInventories(files: string[]): { inventory: Inventory; diagnostics: Diagnostic[] } {
  const d = newDraft();
  for (const file of files) readInventoryFile(file, d);
  return finishDraft(d);
}

/** The same, from text already in memory (tests, stdin). */
export function loadInventoryTexts(sources: Array<{ file: string; text: string }>): {
  inventory: Inventory;
  diagnostics: Diagnostic[];
} {
  const d = newDraft();
  for (const { file, text } of sources) {
    d.inv.sources.push(file);
    if (detectFormat(file, text) === 'yaml') readYamlInventory(file, text, d);
    else readIniInventory(file, text, d);
  }
  return finishDraft(d);
}
