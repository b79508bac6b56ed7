// Host names that are also Object.prototype keys (__proto__, constructor, toString) work end to end: run, recap, inventory.
import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../integration/cli.js';

const NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'];
let work = '';
let inventory = '';
let playbook = '';

test.before(() => {
  work = mkdtempSync(join(tmpdir(), 'stackplay-odd-names-'));
  inventory = join(work, 'odd.ini');
  writeFileSync(
    inventory,
    [
      '[odd]',
      ...NAMES.map((n) => `${n} ansible_connection=local marker=m-${n}`),
      '[isPrototypeOf:children]',
      'odd',
      '',
    ].join('\n'),
  );
  playbook = join(work, 'odd.yml');
  writeFileSync(
    playbook,
    `- hosts: odd
  tasks:
    - command: "echo {{ inventory_hostname }}"
      changed_when: false
    - debug: { msg: "{{ hostvars['__proto__'].marker }} {{ hostvars['constructor'].marker }}" }
`,
  );
});
test.after.always(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

test('a run over such hosts has every one of them in the recap', async (t) => {
  const r = await runCli(['run', playbook, '-i', inventory, '--output', 'json']);
  t.is(r.code, 0, r.stdout + r.stderr);
  const end = r.events.find((e) => e.type === 'run:end');
  t.truthy(end && end.type === 'run:end');
  if (end?.type !== 'run:end') return;
  t.deepEqual(Object.keys(end.recap), NAMES);
  for (const n of NAMES) t.like(end.recap[n], { ok: 2, failed: 0 }, n);
  t.true(r.stdout.includes('m-__proto__ m-constructor'), r.stdout);
});

test('inventory --list --json and the plain listing show every such host and group', async (t) => {
  const r = await runCli(['inventory', '-i', inventory, '--list', '--json']);
  t.is(r.code, 0, r.stderr);
  const list = JSON.parse(r.stdout) as Record<string, { hosts?: string[]; children?: string[] }> & {
    _meta: { hostvars: Record<string, Record<string, unknown>> };
  };
  t.deepEqual(Object.keys(list._meta.hostvars), NAMES);
  for (const n of NAMES) t.is(list._meta.hostvars[n]?.marker, `m-${n}`);
  t.true(Object.hasOwn(list, 'isPrototypeOf'), 'the group named isPrototypeOf is missing');
  const group = Object.getOwnPropertyDescriptor(list, 'isPrototypeOf')?.value as { children?: string[] } | undefined;
  t.deepEqual(group?.children, ['odd']);
  const plain = await runCli(['inventory', '-i', inventory, '--list']);
  for (const n of NAMES) t.regex(plain.stdout, new RegExp(`^${n}\\n`, 'm'));
});

test('--limit naming such a host selects it alone', async (t) => {
  const r = await runCli(['run', playbook, '-i', inventory, '--output', 'json', '-l', 'constructor']);
  t.is(r.code, 0, r.stdout + r.stderr);
  const end = r.events.find((e) => e.type === 'run:end');
  t.deepEqual(end?.type === 'run:end' ? Object.keys(end.recap) : [], ['constructor']);
});
