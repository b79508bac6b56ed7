// YAML reader details: Ansible's shape, nulls, ranges and ports in keys, positions, type errors.
import test from 'ava';
import { loadText } from './helpers.js';

const load = (text: string) => loadText(text, 'inv.yml');

test('hosts under all are ungrouped; null hosts and null groups are fine', (t) => {
  const { inventory, diagnostics } = load(
    'all:\n  hosts:\n    a:\n    b: ~\n  children:\n    empty:\n    web:\n      hosts:\n        w1: {}\n',
  );
  t.deepEqual(diagnostics, []);
  t.deepEqual(inventory.groups.get('ungrouped')?.hosts, ['a', 'b']);
  t.deepEqual(inventory.groups.get('web')?.hosts, ['w1']);
  t.true(inventory.groups.has('empty'));
  t.deepEqual(inventory.groups.get('all')?.children, ['ungrouped', 'empty', 'web']);
});

test('top-level groups other than all become children of all', (t) => {
  const { inventory, diagnostics } = load('web:\n  hosts:\n    w1:\ndb:\n  hosts:\n    d1:\n');
  t.deepEqual(diagnostics, []);
  t.deepEqual(inventory.groups.get('all')?.children, ['ungrouped', 'web', 'db']);
});

test('ranges and ports in host keys', (t) => {
  const { inventory, diagnostics } = load('all:\n  hosts:\n    node[a:b].lab:2222:\n      x: 1\n');
  t.deepEqual(diagnostics, []);
  t.deepEqual([...inventory.hosts.keys()], ['nodea.lab', 'nodeb.lab']);
  t.deepEqual(inventory.hosts.get('nodeb.lab')?.vars, { ansible_port: 2222, x: 1 });
});

test('YAML types are kept (lists, dicts, numbers, booleans)', (t) => {
  const { inventory } = load('all:\n  vars:\n    list: [1, two]\n    dict: {a: {b: false}}\n    n: 3\n    s: "3"\n');
  t.deepEqual(inventory.groups.get('all')?.vars, { list: [1, 'two'], dict: { a: { b: false } }, n: 3, s: '3' });
});

test('a group defined in two places merges hosts, children and vars', (t) => {
  const { inventory, diagnostics } = load(
    [
      'all:',
      '  children:',
      '    app:',
      '      children:',
      '        web:',
      '          hosts: {w1: }',
      '          vars: {a: 1}',
      '    edge:',
      '      children:',
      '        web:',
      '          hosts: {w2: }',
      '          vars: {b: 2}',
      '',
    ].join('\n'),
  );
  t.deepEqual(diagnostics, []);
  t.deepEqual(inventory.groups.get('web')?.hosts, ['w1', 'w2']);
  t.deepEqual(inventory.groups.get('web')?.vars, { a: 1, b: 2 });
  t.deepEqual(inventory.groups.get('all')?.children, ['ungrouped', 'app', 'edge']);
});

test('positions point at the host key and each var key', (t) => {
  const { inventory } = load('all:\n  hosts:\n    web1:\n      port: 80\n');
  t.like(inventory.hosts.get('web1')?.at, { file: 'inv.yml', line: 3, col: 5 });
  t.like(inventory.hosts.get('web1')?.varSpans?.port, { line: 4, col: 7 });
});

const typeErrors: Array<[string, string, RegExp, number]> = [
  ['a list at the top', '- web\n', /top of a YAML inventory must be a mapping, got a list/, 1],
  ['a group that is a string', 'web: hosts\n', /group "web" must be a mapping, got string/, 1],
  ['children as a list', 'web:\n  children: [a, b]\n', /children of group "web" must be a mapping, got a list/, 2],
  [
    'host vars as a list',
    'web:\n  hosts:\n    w1: [a]\n',
    /host "w1" must map to its vars or to nothing, got a list/,
    3,
  ],
  ['vars as a number', 'web:\n  vars: 3\n', /vars of group "web" must be a mapping, got number 3/, 2],
];

for (const [name, text, message, line] of typeErrors) {
  test(`type error: ${name}`, (t) => {
    const { diagnostics } = load(text);
    t.is(diagnostics.length, 1);
    t.is(diagnostics[0]!.code, 'E_INVENTORY_YAML_TYPE');
    t.regex(diagnostics[0]!.message, message);
    t.is(diagnostics[0]!.at?.line, line);
  });
}

test('an empty YAML file is a warning', (t) => {
  const { diagnostics } = load('# nothing yet\n');
  t.deepEqual(
    diagnostics.map((d) => [d.severity, d.code]),
    [['warning', 'E_INVENTORY_EMPTY']],
  );
});

test('a YAML syntax error stops that file with a positioned error', (t) => {
  const { diagnostics } = load('all:\n  hosts: {a: 1\n');
  t.true(diagnostics.length >= 1);
  t.is(diagnostics[0]!.code, 'E_YAML_SYNTAX');
  t.is(diagnostics[0]!.at?.file, 'inv.yml');
});

// What ansible-core 2.14's yaml inventory plugin accepts, warns about or rejects (each checked with ansible-inventory).
test('hosts, children and vars given as a string are one-key mappings, as in Ansible', (t) => {
  const { inventory, diagnostics } = load(
    'all:\n  children:\n    web:\n      hosts: web1\n    app:\n      children: web\n',
  );
  t.deepEqual(diagnostics, []);
  t.deepEqual(inventory.groups.get('web')?.hosts, ['web1']);
  t.deepEqual(inventory.groups.get('app')?.children, ['web']);
});

test('an unknown key in a group is a warning (Ansible skips it), with a suggestion', (t) => {
  const { inventory, diagnostics } = load('web:\n  host:\n    web1:\n');
  t.like(diagnostics, [{ severity: 'warning', code: 'E_INVENTORY_YAML_KEY', hint: 'did you mean "hosts"?' }]);
  t.is(diagnostics[0]!.at?.line, 2);
  t.false(inventory.hosts.has('web1'));
});

test('a host name that YAML reads as a number is rejected, as Ansible does', (t) => {
  const { diagnostics } = load('all:\n  hosts:\n    1234: {}\n');
  t.like(diagnostics, [{ severity: 'error', code: 'E_INVENTORY_YAML_TYPE' }]);
  t.is(diagnostics[0]!.at?.line, 3);
});

test("a host's first host:port is kept when the host is listed again", (t) => {
  const { inventory } = load('all:\n  hosts:\n    web1:2222:\n  children:\n    g:\n      hosts:\n        web1:3333:\n');
  t.deepEqual(inventory.hosts.get('web1')?.vars, { ansible_port: 2222 });
});
