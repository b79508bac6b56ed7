// INI reader details: value typing, quoting, ports, IPv6, comments, positions, sections.
import test from 'ava';
import { loadText } from './helpers.js';

const hostVars = (text: string, host: string) => {
  const { inventory, diagnostics } = loadText(text);
  return { vars: inventory.hosts.get(host)?.vars, diagnostics };
};

// [as written, inline on a host line, in a :vars section]: ansible-core 2.14's ansible-inventory gave each.
// A host line is shell-split first (quotes go, # ends the line), a :vars line is not; then both go through
// Python's ast.literal_eval, so 3.10 is 3.1, True/None are typed, but true/yes/no stay strings.
const values: Array<[string, unknown, unknown]> = [
  ['42', 42, 42],
  ['-7', -7, -7],
  ['0755', '0755', '0755'],
  ['3.10', 3.1, 3.1],
  ['true', 'true', 'true'],
  ['YES', 'YES', 'YES'],
  ['False', false, false],
  ['no', 'no', 'no'],
  ['None', null, null],
  ['"yes"', 'yes', 'yes'],
  ["'42'", 42, '42'],
  ['"a b c"', 'a b c', 'a b c'],
  ['\'say "hi"\'', 'say "hi"', 'say "hi"'],
  ['"esc \\" quote"', 'esc " quote', 'esc " quote'],
  ['pre"quoted part"post', 'prequoted partpost', 'pre"quoted part"post'],
  ['[1,2]', [1, 2], [1, 2]],
  ['(1,2)', [1, 2], [1, 2]],
  ['{"a":{"b":true}}', '{a:{b:true}}', '{"a":{"b":true}}'],
  ["['x','y']", '[x,y]', ['x', 'y']],
  ['"{\'a\': 1}"', { a: 1 }, "{'a': 1}"],
  ['[notjson', '[notjson', '[notjson'],
  ['', '', ''],
  ['http://x/#frag', 'http://x/', 'http://x/#frag'],
];

for (const [raw, inline, inVars] of values) {
  test(`inline value ${raw || '(empty)'}`, (t) => {
    const { vars, diagnostics } = hostVars(`[g]\nh1 v=${raw}\n`, 'h1');
    t.deepEqual(diagnostics, []);
    t.deepEqual(vars?.v, inline);
  });
  test(`:vars value ${raw || '(empty)'}`, (t) => {
    const { inventory, diagnostics } = loadText(`[g]\nh1\n[g:vars]\nv = ${raw}\n`);
    t.deepEqual(diagnostics, []);
    t.deepEqual(inventory.groups.get('g')?.vars.v, inVars);
  });
}

test('a comment after a host ends the line, also inside a word; a # inside quotes does not', (t) => {
  const { vars } = hostVars('h1 a=1 # b=2\nh2 c="x # y" d=p#q\n', 'h1');
  t.deepEqual(vars, { a: 1 });
  t.deepEqual(hostVars('h1 a=1 # b=2\nh2 c="x # y" d=p#q\n', 'h2').vars, { c: 'x # y', d: 'p' });
});

test('a comment after a :vars value ends it only where the value is a Python literal (as Ansible)', (t) => {
  const { inventory } = loadText('[g]\nh1\n[g:vars]\na=1 # one\nb=hello # kept\nc="x" # cut\n');
  t.deepEqual(inventory.groups.get('g')?.vars, { a: 1, b: 'hello # kept', c: 'x' });
});

test("host:port sets ansible_port; an inline ansible_port wins over it; the first entry's port stays", (t) => {
  t.deepEqual(hostVars('web1:2222\n', 'web1').vars, { ansible_port: 2222 });
  t.deepEqual(hostVars('web1:2222\n[g]\nweb1:3333\n', 'web1').vars, { ansible_port: 2222 });
  t.deepEqual(hostVars('web1:2222 ansible_port=22\n', 'web1').vars, { ansible_port: 22 });
  t.deepEqual(hostVars('web[1:2]:2200\n', 'web2').vars, { ansible_port: 2200 });
});

test('IPv6 hosts, bare or bracketed with a port', (t) => {
  const { inventory, diagnostics } = loadText('2001:db8::1\n[v6]\n[2001:db8::2]:2222 x=1\n');
  t.deepEqual(diagnostics, []);
  t.deepEqual([...inventory.hosts.keys()], ['2001:db8::1', '2001:db8::2']);
  t.deepEqual(inventory.hosts.get('2001:db8::2')?.vars, { ansible_port: 2222, x: 1 });
  t.deepEqual(inventory.hosts.get('2001:db8::2')?.groups, ['v6']);
});

test('positions: hosts, vars and groups keep file, line and column', (t) => {
  const { inventory } = loadText('# top\n\n  [web]\n  web1   tier=front\n[web:vars]\n  port=80\n', 'pos.ini');
  t.deepEqual(inventory.groups.get('web')?.at, { file: 'pos.ini', line: 3, col: 3, endLine: 3, endCol: 8 });
  t.deepEqual(inventory.hosts.get('web1')?.at, { file: 'pos.ini', line: 4, col: 3, endLine: 4, endCol: 7 });
  t.deepEqual(inventory.hosts.get('web1')?.varSpans?.tier, {
    file: 'pos.ini',
    line: 4,
    col: 10,
    endLine: 4,
    endCol: 20,
  });
  t.deepEqual(inventory.groups.get('web')?.varSpans?.port, {
    file: 'pos.ini',
    line: 6,
    col: 3,
    endLine: 6,
    endCol: 7,
  });
});

test(':hosts suffix is a plain group; hosts may be listed in several groups', (t) => {
  const { inventory, diagnostics } = loadText('[a:hosts]\nh1\n[b]\nh1\nh2\n');
  t.deepEqual(diagnostics, []);
  t.deepEqual(inventory.hosts.get('h1')?.groups, ['a', 'b']);
  t.deepEqual(inventory.groups.get('b')?.hosts, ['h1', 'h2']);
});

test('a host listed again gets its vars merged, later lines win', (t) => {
  const { vars } = hostVars('[a]\nh1 x=1 y=1\n[b]\nh1 y=2\n', 'h1');
  t.deepEqual(vars, { x: 1, y: 2 });
});

test('an empty group and an empty file are fine', (t) => {
  t.deepEqual(loadText('[empty]\n').diagnostics, []);
  const { inventory, diagnostics } = loadText('');
  t.deepEqual(diagnostics, []);
  t.deepEqual([...inventory.groups.keys()], ['all', 'ungrouped']);
});

test('a child group defined later in the file is fine (Ansible reads ahead)', (t) => {
  const { inventory, diagnostics } = loadText('[app:children]\nweb\n[web]\nw1\n');
  t.deepEqual(diagnostics, []);
  t.deepEqual(inventory.groups.get('app')?.children, ['web']);
  t.deepEqual(inventory.groups.get('all')?.children, ['ungrouped', 'app']);
});

test('a host named like a group gives a warning, not an error', (t) => {
  const { diagnostics } = loadText('[web]\nweb\n');
  t.is(diagnostics.length, 1);
  t.is(diagnostics[0]!.severity, 'warning');
  t.is(diagnostics[0]!.code, 'E_INVENTORY_NAME_CLASH');
});

test('several errors in one file are all reported, each at its line', (t) => {
  const { diagnostics } = loadText('[web]\nweb[1:c]\nweb1 novalue\n[web:kids]\nx\n[ok]\nh =1\n', 'many.ini');
  t.deepEqual(
    diagnostics.map((d) => [d.code, d.at?.line]),
    [
      ['E_INVENTORY_RANGE', 2],
      ['E_INVENTORY_VAR', 3],
      ['E_INVENTORY_SECTION', 4],
      ['E_INVENTORY_VAR', 7],
    ],
  );
});
