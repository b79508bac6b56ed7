// Ansible's YAML inventory shape (all: {hosts, children, vars}) read with positions for every node.
import { isMap, isNode, isScalar, type Node, Pair, visit, YAMLMap } from 'yaml';
import { diag, type Diagnostic, type Span } from '../errors.js';
import { parseYaml, spanOf, type YamlSource } from '../load/source.js';
import { didYouMean } from '../suggest.js';
import { addChild, addHostToGroup, declareGroup, ensureHost, setVar, type Draft } from './draft.js';
import { parseHostEntry } from './host-pattern.js';
import type { InventoryGroup, InventoryHost } from './types.js';

const GROUP_KEYS = ['hosts', 'children', 'vars'];

interface Ctx {
  d: Draft;
  src: YamlSource;
}

const describe = (node: unknown): string => {
  if (isMap(node)) return 'a mapping';
  if (isNode(node) && 'items' in node) return 'a list';
  if (isScalar(node)) return node.value === null ? 'nothing' : `${typeof node.value} ${JSON.stringify(node.value)}`;
  return 'nothing';
};

const isEmpty = (node: unknown): boolean =>
  node === null || node === undefined || (isScalar(node) && node.value === null);

const keyText = (pair: Pair): string | undefined =>
  isScalar(pair.key) && pair.key.value !== null && typeof pair.key.value !== 'object'
    ? String(pair.key.value)
    : undefined;

const at = (c: Ctx, node: unknown): Span => spanOf(c.src, isNode(node) ? node : null);

/** A mapping, or nothing (null is allowed wherever Ansible allows it); reports anything else at the node. */
function mapOrNull(c: Ctx, node: unknown, what: string, example: string): YAMLMap | null {
  if (isEmpty(node)) return null;
  if (isMap(node)) return node;
  c.d.diagnostics.push(
    diag(
      'E_INVENTORY_YAML_TYPE',
      `${what} must be a mapping, got ${describe(node)}`,
      at(c, node),
      `write it as a mapping, e.g. ${example}`,
    ),
  );
  return null;
}

/** Each key: value of a mapping with a usable key; bad keys are reported. */
function* entries(c: Ctx, map: YAMLMap): Generator<{ key: string; keyNode: Node; value: unknown }> {
  for (const pair of map.items) {
    const key = keyText(pair);
    if (key === undefined) {
      c.d.diagnostics.push(
        diag('E_INVENTORY_YAML_TYPE', 'a key here must be a plain name', at(c, pair.key), 'use a string key'),
      );
      continue;
    }
    yield { key, keyNode: pair.key as Node, value: pair.value };
  }
}

function readVars(c: Ctx, node: unknown, target: InventoryHost | InventoryGroup, what: string): void {
  const map = mapOrNull(c, node, what, 'vars: {ansible_user: root}');
  if (!map) return;
  for (const { key, keyNode, value } of entries(c, map)) {
    setVar(target, key, isNode(value) ? value.toJS(c.src.doc) : value, at(c, keyNode));
  }
}

function readHosts(c: Ctx, group: string, node: unknown): void {
  const map = mapOrNull(c, node, `hosts of group "${group}"`, 'hosts: {web1: {ansible_host: 10.0.0.5}, web2: null}');
  if (!map) return;
  for (const { key, keyNode, value } of entries(c, map)) {
    const span = at(c, keyNode);
    if (!isScalar(keyNode) || typeof keyNode.value !== 'string') {
      c.d.diagnostics.push(
        diag(
          'E_INVENTORY_YAML_TYPE',
          `host "${key}" must be a string, got ${describe(keyNode)}`,
          span,
          `quote it: "${key}":`,
        ),
      );
      continue;
    }
    const entry = parseHostEntry(key, span);
    c.d.diagnostics.push(...entry.diagnostics);
    const ok = isEmpty(value) || isMap(value);
    if (!ok) {
      c.d.diagnostics.push(
        diag(
          'E_INVENTORY_YAML_TYPE',
          `host "${key}" must map to its vars or to nothing, got ${describe(value)}`,
          at(c, value),
          `write "${key}:" alone, or "${key}: {ansible_host: 10.0.0.5}"`,
        ),
      );
    }
    for (const name of entry.hosts) {
      const known = c.d.inv.hosts.has(name);
      const host = ensureHost(c.d, name, span);
      addHostToGroup(c.d, group, name);
      // The port of a host's first entry is kept, as Ansible's Host keeps the port it was made with.
      if (entry.port !== undefined && !known) setVar(host, 'ansible_port', entry.port, span);
      if (ok) readVars(c, value, host, `vars of host "${name}"`);
    }
  }
}

/** A string node as a one-key mapping to null (Ansible's reading of `hosts: web1`); anything else as it is. */
function asMapping(node: unknown): unknown {
  if (!isScalar(node) || typeof node.value !== 'string') return node;
  const map = new YAMLMap();
  map.add(new Pair(node, null));
  map.range = node.range;
  return map;
}

function readGroup(c: Ctx, name: string, keyNode: Node, node: unknown, seen: Set<string>): void {
  const group = declareGroup(c.d, name, at(c, keyNode));
  const map = mapOrNull(c, node, `group "${name}"`, `${name}: {hosts: {...}, children: {...}, vars: {...}}`);
  if (!map) return;
  for (const { key, keyNode: k, value: written } of entries(c, map)) {
    // As Ansible: `hosts: web1` (a string) is `hosts: {web1: null}`, and so for children and vars.
    const value = GROUP_KEYS.includes(key) ? asMapping(written) : written;
    if (key === 'vars' && value !== written)
      c.d.diagnostics.push({
        ...diag(
          'E_INVENTORY_YAML_TYPE',
          `vars of group "${name}" is a string: like Ansible, stackplay reads it as one var named ${JSON.stringify(String((written as { value: unknown }).value))} with no value`,
          at(c, written),
          'write vars as a mapping, e.g. vars: {ansible_user: root}',
        ),
        severity: 'warning',
      });
    if (key === 'hosts') readHosts(c, name, value);
    else if (key === 'vars') readVars(c, value, group, `vars of group "${name}"`);
    else if (key === 'children') {
      const children = mapOrNull(c, value, `children of group "${name}"`, 'children: {web: {hosts: {web1: null}}}');
      if (!children) continue;
      for (const child of entries(c, children)) {
        addChild(c.d, name, child.key, at(c, child.keyNode));
        // A group nested inside itself would recurse forever; the cycle is reported after loading.
        if (seen.has(child.key)) continue;
        readGroup(c, child.key, child.keyNode, child.value, new Set([...seen, child.key]));
      }
    } else {
      const hint =
        didYouMean(key, GROUP_KEYS) ??
        `a group holds only hosts, children and vars (is "${key}" a host? put it under hosts:)`;
      // Ansible skips the key with a warning.
      c.d.diagnostics.push({
        ...diag('E_INVENTORY_YAML_KEY', `unknown key "${key}" in group "${name}" is ignored`, at(c, k), hint),
        severity: 'warning',
      });
    }
  }
}

/**
 * The yaml parser places a duplicate-key error near the previous value; point each one at the repeated
 * key instead (the n-th error is the n-th repeated key, both in document order) and name the key.
 */
function pinDuplicateKeys(src: YamlSource, diagnostics: Diagnostic[]): void {
  const repeated: Node[] = [];
  visit(src.doc, {
    Map(_, map) {
      const seen = new Set<string>();
      for (const pair of map.items) {
        const key = keyText(pair);
        if (key === undefined) continue;
        if (seen.has(key)) repeated.push(pair.key as Node);
        seen.add(key);
      }
    },
  });
  const dups = diagnostics.filter((x) => x.code === 'E_YAML_DUPLICATE_KEY');
  if (dups.length !== repeated.length) return;
  dups.forEach((x, i) => {
    const node = repeated[i]!;
    x.at = spanOf(src, node);
    x.message = `duplicate key ${JSON.stringify(keyText({ key: node } as Pair))} in ${src.file}`;
  });
}

/** Reads one YAML inventory file into the draft. */
export function readYamlInventory(file: string, text: string, d: Draft): void {
  const { src, diagnostics } = parseYaml(file, text);
  if (diagnostics.length) {
    pinDuplicateKeys(src, diagnostics);
    d.diagnostics.push(...diagnostics);
    return;
  }
  const c: Ctx = { d, src };
  const root = src.doc.contents;
  if (isEmpty(root)) {
    d.diagnostics.push({
      severity: 'warning',
      code: 'E_INVENTORY_EMPTY',
      message: `${file} holds no hosts or groups`,
      at: { file, line: 1, col: 1 },
      hint: 'start it with "all:"',
    });
    return;
  }
  const map = mapOrNull(c, root, 'the top of a YAML inventory', 'all: {hosts: {...}, children: {...}}');
  if (!map) return;
  const plugin = map.items.find((p) => keyText(p) === 'plugin');
  if (plugin) {
    d.diagnostics.push(
      diag(
        'E_INVENTORY_PLUGIN',
        `${file} configures an inventory plugin; stackplay reads only INI and YAML inventories`,
        at(c, plugin.key),
        'list the hosts in an INI or YAML inventory (ansible-inventory -i FILE --list -y writes one)',
      ),
    );
    return;
  }
  for (const { key, keyNode, value } of entries(c, map)) readGroup(c, key, keyNode, value, new Set([key]));
}
