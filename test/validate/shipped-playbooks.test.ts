// The shipped playbooks and inventories agree on var names: each playbook's "Required vars" header is what validation asks for.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { loadForRun } from '../../src/run.js';

const PLAYBOOKS = readdirSync('playbooks').filter((f) => f.endsWith('.yml'));
const INVENTORIES = ['inventory/lab.ini', 'inventory/lab.yml', 'inventory/prod.example.ini'];

/** Role groups and no vars at all: what validation then asks for is what the playbook needs. */
const BARE = `
[core]
core1 ansible_connection=local
[router]
router1 ansible_connection=local
[data_services]
data1 ansible_connection=local
[stager]
stager1 ansible_connection=local
[dea]
dea1 ansible_connection=local
[load_balancer]
lb1 ansible_connection=local
`;

function documented(playbook: string): string[] {
  const line = /^# Required vars: (.*)$/m.exec(readFileSync(join('playbooks', playbook), 'utf8'))?.[1];
  if (line === undefined) return ['(no "# Required vars:" line in the header)'];
  return line === '(none)' ? [] : line.split(',').map((v) => v.trim());
}

const undefinedNames = (ds: { code: string; message: string }[]) =>
  ds
    .filter((d) => d.code === 'E_UNDEFINED_VAR')
    .map((d) => /undefined variable "([^"]+)"/.exec(d.message)![1]!)
    .sort();

function tempDir(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'sp-shipped-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('every shipped playbook documents its vars at its top', (t) => {
  t.true(PLAYBOOKS.length >= 6);
  for (const p of PLAYBOOKS) {
    const text = readFileSync(join('playbooks', p), 'utf8');
    t.regex(text, /^# Vars it reads/m, p);
    t.regex(text, /^# Required vars: /m, p);
  }
});

for (const playbook of PLAYBOOKS) {
  test(`${playbook}: on an inventory with no vars, validation asks for exactly its Required vars`, (t) => {
    const dir = tempDir(t);
    writeFileSync(join(dir, 'bare.ini'), BARE);
    const { diagnostics } = loadForRun({
      playbook: join('playbooks', playbook),
      inventories: [join(dir, 'bare.ini')],
      extraVars: [],
    });
    t.deepEqual(undefinedNames(diagnostics), [...documented(playbook)].sort());
  });

  for (const inventory of INVENTORIES) {
    test(`${playbook} with ${inventory}: passes validation (with the -e vars its header names)`, (t) => {
      const dir = tempDir(t);
      const key = join(dir, 'key');
      writeFileSync(key, 'x\n', { mode: 0o600 });
      // the vars the playbooks take from -e, and a key file that exists (the inventories name ones made by `lab up`)
      const extra = { cluster_cidr: '10.0.0.0/24', new_core_ip: '10.77.0.50', remove: '10.77.0.17' };
      const { diagnostics } = loadForRun({
        playbook: join('playbooks', playbook),
        inventories: [inventory],
        extraVars: [JSON.stringify({ ...extra, ansible_ssh_private_key_file: key })],
      });
      t.deepEqual(
        diagnostics.filter((d) => d.severity === 'error'),
        [],
      );
    });
  }
}
