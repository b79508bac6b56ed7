// Ansible's implicit localhost: a play for localhost runs locally when no inventory lists localhost; `all` never includes it.
import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recapOf, runCli } from './cli.js';

const dir = mkdtempSync(join(tmpdir(), 'stackplay-implicit-localhost-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

// 192.0.2.0/24 is TEST-NET: the play never targets web1, so nothing may try to reach it.
const inventory = join(dir, 'inventory.ini');
writeFileSync(inventory, '[web]\nweb1 ansible_host=192.0.2.10\n[all:vars]\ngreeting=hello\n');
const playbook = join(dir, 'local.yml');
writeFileSync(
  playbook,
  [
    '- hosts: localhost',
    '  gather_facts: false',
    '  tasks:',
    '    - debug:',
    '        msg: "{{ greeting }} from {{ inventory_hostname }} {{ groups.all | length }}"',
    '- hosts: all',
    '  gather_facts: false',
    '  tasks:',
    '    - debug:',
    '        msg: never runs, web1 is not reachable',
    '',
  ].join('\n'),
);

test('--list-hosts: localhost for the localhost play, only web1 for all', async (t) => {
  const r = await runCli(['run', playbook, '-i', inventory, '--list-hosts']);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /play #1 \(localhost\)[^\n]*\n {2}pattern: localhost\n {2}hosts \(1\):\n {4}localhost\n/);
  t.regex(r.stdout, /play #2 \(all\)[^\n]*\n {2}pattern: all\n {2}hosts \(1\):\n {4}web1(\n|$)/);
});

test('a play for localhost runs on the implicit local host, with the vars of all', async (t) => {
  const only = join(dir, 'only-local.yml');
  writeFileSync(
    only,
    `- hosts: localhost\n  gather_facts: false\n  tasks:\n    - debug:\n        msg: "{{ greeting }} from {{ inventory_hostname }}, all has {{ groups.all | length }}"\n`,
  );
  const r = await runCli(['run', only, '-i', inventory, '--output', 'json']);
  t.is(r.code, 0, r.stderr + r.stdout);
  const plan = r.events.find((e) => e.type === 'host:plan' && e.host === 'localhost');
  t.like(plan, { plan: { data: { msg: 'hello from localhost, all has 1' } } });
  t.deepEqual(Object.keys(recapOf(r)), ['localhost']);
});
