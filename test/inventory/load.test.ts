// Loading several files: format detection, Ansible-style merge, cross-file references, cycles.
import test from 'ava';
import { join } from 'node:path';
import { detectFormat, loadInventories, loadInventoryTexts } from '../../src/inventory/load.js';
import { resolveHost } from '../../src/inventory/resolve.js';
import { FIXTURES } from './helpers.js';

const merge = (f: string) => join(FIXTURES, 'merge', f);

const formats: Array<[string, string, 'ini' | 'yaml']> = [
  ['inv.yml', '[web]\n', 'yaml'],
  ['inv.yaml', '', 'yaml'],
  ['inv.json', '{}', 'yaml'],
  ['inv.ini', 'all:\n', 'ini'],
  ['inv.cfg', '', 'ini'],
  ['hosts', '# c\n\n[web]\nw1\n', 'ini'],
  ['hosts', '; c\nweb1 ansible_host=1.2.3.4\n', 'ini'],
  ['hosts', 'web1:2222 a=1\n', 'ini'],
  ['hosts', '# c\nall:\n  hosts:\n', 'yaml'],
  ['hosts', '---\nall:\n', 'yaml'],
  ['hosts', 'web: {hosts: {a: }}\n', 'yaml'],
  ['inventory.txt', '', 'ini'],
];

for (const [file, text, format] of formats) {
  test(`format of ${file} starting ${JSON.stringify(text.slice(0, 12))} is ${format}`, (t) => {
    t.is(detectFormat(file, text), format);
  });
}

test('files without an extension are sniffed and load', (t) => {
  const { inventory, diagnostics } = loadInventories([merge('hosts'), merge('hosts-yaml')]);
  t.deepEqual(diagnostics, []);
  t.deepEqual(inventory.groups.get('extra')?.hosts, ['x1', 'y1']);
  t.deepEqual(inventory.sources, [merge('hosts'), merge('hosts-yaml')]);
});

test('two -i files merge: union of hosts and children, later file wins on vars', (t) => {
  const { inventory, diagnostics } = loadInventories([merge('base.ini'), merge('override.yml')]);
  t.deepEqual(diagnostics, []);
  t.deepEqual([...inventory.hosts.keys()], ['web1', 'web2', 'web3', 'db1']);
  t.deepEqual(inventory.groups.get('web')?.hosts, ['web1', 'web2', 'web3']);
  t.deepEqual(inventory.groups.get('web')?.vars, { http_port: 8080, owner: 'ops' });
  // The YAML file lists web under all itself; app joins all at the end, having no parent (as in Ansible).
  t.deepEqual(inventory.groups.get('all')?.children, ['ungrouped', 'web', 'db', 'app']);
  t.deepEqual(inventory.groups.get('app')?.children, ['web']);
  t.deepEqual(inventory.hosts.get('web1')?.vars, { tier: 'front', port: 8080 });
  t.like(resolveHost(inventory, 'web3').vars, { ansible_user: 'deploy', http_port: 8080, owner: 'ops' });
  // The first definition keeps its position.
  t.like(inventory.hosts.get('web1')?.at, { file: merge('base.ini'), line: 6 });
});

test('the other order gives the other winner', (t) => {
  const { inventory } = loadInventories([merge('override.yml'), merge('base.ini')]);
  t.deepEqual(inventory.groups.get('web')?.vars, { http_port: 80, owner: 'ops' });
  t.is(resolveHost(inventory, 'web1').vars.ansible_user, 'root');
  t.deepEqual([...inventory.hosts.keys()], ['web1', 'web3', 'db1', 'web2']);
});

test('a child group defined only in another file is fine', (t) => {
  const { inventory, diagnostics } = loadInventoryTexts([
    { file: 'a.ini', text: '[app:children]\nweb\n' },
    { file: 'b.ini', text: '[web]\nw1\n' },
  ]);
  t.deepEqual(diagnostics, []);
  t.deepEqual(inventory.groups.get('app')?.children, ['web']);
});

test('an ungrouped host that a later file puts in a group leaves ungrouped', (t) => {
  const { inventory } = loadInventoryTexts([
    { file: 'a.ini', text: 'h1\nh2\n' },
    { file: 'b.ini', text: '[web]\nh1\n' },
  ]);
  t.deepEqual(inventory.groups.get('ungrouped')?.hosts, ['h2']);
  t.deepEqual(inventory.hosts.get('h1')?.groups, ['web']);
});

test('a cycle made across two files is found after the merge, with its path', (t) => {
  const { diagnostics } = loadInventoryTexts([
    { file: 'a.ini', text: '[a:children]\nb\n[a]\n' },
    { file: 'b.yml', text: 'b:\n  children:\n    a:\n' },
  ]);
  t.is(diagnostics.length, 1);
  t.is(diagnostics[0]!.code, 'E_INVENTORY_CYCLE');
  t.is(diagnostics[0]!.message, 'groups contain each other: a -> b -> a');
  t.like(diagnostics[0]!.at, { file: 'b.yml', line: 3 });
});

test('a group that is its own child, and a group that holds all, are cycles', (t) => {
  const self = loadInventoryTexts([{ file: 's.ini', text: '[a:children]\na\n' }]).diagnostics;
  t.deepEqual(
    self.map((d) => d.message),
    ['groups contain each other: a -> a'],
  );
  const all = loadInventoryTexts([{ file: 'x.ini', text: '[web:children]\nall\n' }]).diagnostics;
  t.deepEqual(
    all.map((d) => d.message),
    ['groups contain each other: all -> web -> all'],
  );
  t.like(all[0]!.at, { file: 'x.ini', line: 2 });
});

test('two separate cycles are both reported, each once', (t) => {
  const { diagnostics } = loadInventoryTexts([
    { file: 'c.ini', text: '[a:children]\nb\n[b:children]\na\n[c:children]\nd\n[d:children]\nc\n' },
  ]);
  t.deepEqual(
    diagnostics.map((d) => d.message),
    ['groups contain each other: a -> b -> a', 'groups contain each other: c -> d -> c'],
  );
});

test('a missing file among several is reported and the others still load', (t) => {
  const { inventory, diagnostics } = loadInventories([merge('nope.ini'), merge('hosts')]);
  t.deepEqual(
    diagnostics.map((d) => d.code),
    ['E_FILE'],
  );
  t.true(inventory.hosts.has('x1'));
});
