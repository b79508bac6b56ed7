// Property tests: the INI/YAML inventory loaders, the playbook loader, templates and expressions only ever give stackplay diagnostics.
import test from 'ava';
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { StackplayError, type Diagnostic } from '../../src/errors.js';
import { loadInventoryTexts } from '../../src/inventory/load.js';
import { validateTopology } from '../../src/inventory/topology.js';
import { loadPlaybook } from '../../src/load/playbook.js';
import { parseExtraVars } from '../../src/load/extra-vars.js';
import { renderString, renderValue } from '../../src/template/render.js';
import { parseExpr, testExpr } from '../../src/template/expr.js';
import { modules } from '../../modules/index.js';

// Bounded runs: a hang shows up as ava's test timeout, never as a flaky timed assertion.
const RUNS = { numRuns: Number(process.env.STACKPLAY_FUZZ_RUNS ?? 300) };

/** A diagnostic the CLI can print: a stable code, a message, and when it has a place, a 1-based one. */
function wellFormed(d: Diagnostic): boolean {
  return (
    /^E_[A-Z0-9_]+$/.test(d.code) &&
    d.message.length > 0 &&
    (d.at === undefined || (d.at.line >= 1 && d.at.col >= 1 && d.at.file.length > 0))
  );
}

/** Strings made mostly of the characters that matter to a format, so they reach deep into its parser. */
const textFrom = (pieces: string[], maxLength = 40) =>
  fc
    .array(
      fc.oneof(
        { weight: 5, arbitrary: fc.constantFrom(...pieces) },
        { weight: 1, arbitrary: fc.string({ maxLength: 4, unit: 'binary' }) },
      ),
      { maxLength },
    )
    .map((a) => a.join(''));

const INI_PIECES = [
  '[',
  ']',
  ':',
  '=',
  '\n',
  '\t',
  ' ',
  '"',
  "'",
  '#',
  ';',
  'web',
  'core',
  'all',
  'vars',
  'children',
  'ungrouped',
  '[1:3]',
  '[a:c]',
  '[01:10:2]',
  '[9:1]',
  'ansible_host',
  'ansible_port',
  '10.0.0.1',
  '127.0.0.1:22',
  'x=1',
  ' k="a b"',
  '\\',
  '\r\n',
  '[web:vars]',
  '[web:children]',
  '[all:vars]',
];
const YAML_PIECES = [
  'all:',
  'hosts:',
  'children:',
  'vars:',
  '\n',
  '  ',
  '    ',
  '- ',
  ': ',
  '{',
  '}',
  '[',
  ']',
  ',',
  '"',
  "'",
  '#',
  '&a',
  '*a',
  '!!str',
  '---',
  '...',
  'web',
  'core',
  'ansible_host',
  '10.0.0.1',
  'null',
  '~',
  'true',
  '1',
  '\t',
  '? ',
  '|',
  '>',
  '<<: *a',
  '%YAML 1.2',
  '&b [*a,*a,*a]',
  '*b',
  '*zz',
];

function checkInventory(file: string, text: string): boolean {
  const { inventory, diagnostics } = loadInventoryTexts([{ file, text }]);
  const all = diagnostics.some((d) => d.severity === 'error')
    ? diagnostics
    : [...diagnostics, ...validateTopology(inventory)];
  return all.every(wellFormed);
}

test('INI inventories: any text loads to an inventory or diagnostics, never an exception', (t) => {
  fc.assert(
    fc.property(textFrom(INI_PIECES), (text) => checkInventory('fuzz.ini', text)),
    RUNS,
  );
  fc.assert(
    fc.property(fc.string({ maxLength: 200, unit: 'binary' }), (text) => checkInventory('fuzz.ini', text)),
    RUNS,
  );
  t.pass();
});

test('YAML inventories: any text, and any YAML value, loads or gives diagnostics', (t) => {
  fc.assert(
    fc.property(textFrom(YAML_PIECES), (text) => checkInventory('fuzz.yml', text)),
    RUNS,
  );
  const inventoryish = fc.letrec((tie) => ({
    node: fc.oneof(
      { depthSize: 'small' },
      fc.constant(null),
      fc.integer(),
      fc.boolean(),
      fc.string({ maxLength: 8 }),
      fc.array(tie('node'), { maxLength: 3 }),
      fc.dictionary(
        fc.constantFrom('all', 'hosts', 'children', 'vars', 'web', 'core', 'ansible_host', 'ansible_port', 'x'),
        tie('node'),
        { maxKeys: 4 },
      ),
    ),
  })).node;
  fc.assert(
    fc.property(inventoryish, (value) => checkInventory('fuzz.yml', stringify(value))),
    RUNS,
  );
  t.pass();
});

let work = '';
test.before(() => {
  work = mkdtempSync(join(tmpdir(), 'stackplay-fuzz-'));
});
test.after.always(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

const GOOD_PLAYBOOK = `- name: base
  hosts: all
  vars: { port: 80 }
  tasks:
    - name: motd
      copy: { dest: /etc/motd, content: "hi {{ inventory_hostname }}\\n", mode: "0644" }
      notify: motd changed
      when: port == 80 and x is defined
    - command: uptime
      register: up
      loop: "{{ items }}"
  handlers:
    - name: motd changed
      command: logger motd
`;

let n = 0;
function checkPlaybook(text: string): boolean {
  const file = join(work, `p${n++}.yml`);
  writeFileSync(file, text);
  const { playbook, diagnostics } = loadPlaybook(file, modules);
  rmSync(file);
  // Either it loads cleanly or it does not load, and says why.
  return (playbook !== undefined || diagnostics.some((d) => d.severity === 'error')) && diagnostics.every(wellFormed);
}

test('playbooks: random edits of a good playbook and random playbook-shaped values load or give diagnostics', (t) => {
  const edits = fc.array(
    fc.tuple(
      fc.nat(GOOD_PLAYBOOK.length),
      fc.nat(6),
      fc.oneof(
        fc.constantFrom('', ' ', '\n', '\t', ':', '- ', '{{', '}}', '"', '{', '[', 'x', '|', '#'),
        fc.string({ maxLength: 3 }),
      ),
    ),
    { minLength: 1, maxLength: 4 },
  );
  fc.assert(
    fc.property(edits, (list) => {
      let text = GOOD_PLAYBOOK;
      for (const [at, del, ins] of list) text = text.slice(0, at) + ins + text.slice(at + del);
      return checkPlaybook(text);
    }),
    RUNS,
  );
  const scalar = fc.oneof(
    fc.constant(null),
    fc.integer(),
    fc.boolean(),
    fc.constantFrom('all', 'web', '{{ x }}', '{{', 'x == 1', '0644', '/etc/motd', 'yes'),
    fc.string({ maxLength: 6 }),
  );
  const key = fc.constantFrom(
    'name',
    'hosts',
    'tasks',
    'handlers',
    'vars',
    'serial',
    'become',
    'when',
    'loop',
    'register',
    'notify',
    'tags',
    'command',
    'copy',
    'debug',
    'shell',
    'file',
    'dest',
    'content',
    'msg',
    'cmd',
    'mode',
    'state',
    'until',
    'retries',
    'no_log',
    'listen',
    'order',
    'x',
  );
  const value = fc.letrec((tie) => ({
    node: fc.oneof(
      { depthSize: 'small' },
      scalar,
      fc.array(tie('node'), { maxLength: 3 }),
      fc.dictionary(key, tie('node'), { maxKeys: 4 }),
    ),
  })).node;
  fc.assert(
    fc.property(fc.array(fc.dictionary(key, value, { maxKeys: 5 }), { maxLength: 3 }), (plays) =>
      checkPlaybook(stringify(plays)),
    ),
    RUNS,
  );
  t.pass();
});

test('extra vars: any -e argument parses or gives diagnostics', (t) => {
  const arg = fc.oneof(
    textFrom(['=', '{', '}', '"', ':', ',', '[', ']', 'k', 'v', ' ', '@', '\n', 'null']),
    fc.string({ maxLength: 30 }),
  );
  fc.assert(
    fc.property(fc.array(arg, { maxLength: 3 }), (args) => {
      const { diagnostics } = parseExtraVars(args.map((a) => (a.startsWith('@') ? `@${join(work, 'absent.yml')}` : a)));
      return diagnostics.every(wellFormed);
    }),
    RUNS,
  );
  t.pass();
});

/** Runs `f`; only stackplay's own errors may come out. */
function onlyOwnErrors(f: () => unknown): boolean {
  try {
    f();
    return true;
  } catch (e) {
    if (e instanceof StackplayError && /^E_[A-Z_]+$/.test(e.code) && e.message.length > 0) return true;
    throw e;
  }
}

const VARS = {
  x: 1,
  s: 'text',
  list: [1, 2, 3],
  d: { a: { b: 'c' } },
  n: null,
  t: true,
  empty: '',
  inventory_hostname: 'web1',
};
const EXPR_PIECES = [
  'x',
  's',
  'list',
  'd',
  'd.a.b',
  "d['a']",
  'n',
  't',
  'missing',
  ' ',
  '==',
  '!=',
  '<',
  '>=',
  'and',
  'or',
  'not',
  'in',
  'is',
  'defined',
  'undefined',
  '(',
  ')',
  '[',
  ']',
  '{',
  '}',
  '.',
  ',',
  ':',
  '|',
  'default',
  'length',
  'int',
  'lower',
  "'q'",
  '"dq"',
  '1',
  '0',
  '-',
  '+',
  '*',
  '/',
  '%',
  '~',
  'true',
  'None',
  '[1,2]',
  '{{',
  '}}',
  '\\',
];

test('expressions: any condition text evaluates, or throws an ExprError naming the problem', (t) => {
  const text = textFrom(EXPR_PIECES, 12);
  fc.assert(
    fc.property(text, (e) => onlyOwnErrors(() => testExpr(e, VARS))),
    RUNS,
  );
  fc.assert(
    fc.property(fc.string({ maxLength: 40 }), (e) => onlyOwnErrors(() => parseExpr(e))),
    RUNS,
  );
  t.pass();
});

test('templates: any template renders, or throws a TemplateError/ExprError with a code', (t) => {
  const inner = textFrom(
    [
      ...EXPR_PIECES,
      '#if',
      '/if',
      '#each',
      '/each',
      'else',
      'this',
      '@index',
      '>',
      '!',
      '&',
      '^',
      '{{{',
      '}}}',
      'join list ","',
      'default missing 1',
    ],
    8,
  );
  const template = fc
    .array(
      fc.oneof(
        fc.string({ maxLength: 5 }),
        inner.map((s) => `{{ ${s} }}`),
        fc.constantFrom('{{', '}}', '{{{', '}}}', '{{#if x}}', '{{/if}}', '{{else}}', '\\{{'),
      ),
      { maxLength: 5 },
    )
    .map((a) => a.join(''));
  fc.assert(
    fc.property(template, (tpl) => onlyOwnErrors(() => renderString(tpl, VARS, { file: 'fuzz.yml', line: 1, col: 1 }))),
    RUNS,
  );
  fc.assert(
    fc.property(fc.array(template, { maxLength: 3 }), (list) =>
      onlyOwnErrors(() => renderValue({ a: list, b: { c: list[0] ?? '' } }, VARS)),
    ),
    RUNS,
  );
  t.pass();
});
