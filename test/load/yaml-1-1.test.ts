// YAML read as Ansible reads it (YAML 1.1 through PyYAML's resolvers): compared with Ansible's own loader and ansible-inventory.
import test from 'ava';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadInventoryTexts } from '../../src/inventory/load.js';
import { resolveHost } from '../../src/inventory/resolve.js';
import { parseYaml } from '../../src/load/source.js';
import { ensureAnsible } from '../helpers/ansible-core.js';

const PYTHON = '/usr/bin/python3';

/** Plain scalars whose type YAML 1.1, YAML 1.2 and the yaml package's own 1.1 schema do not all agree on. */
const SCALARS = [
  ...['yes', 'Yes', 'YES', 'yEs', 'no', 'No', 'NO', 'on', 'On', 'ON', 'off', 'Off', 'OFF'],
  ...['y', 'Y', 'n', 'N', 'true', 'True', 'TRUE', 'tRue', 'false', 'False', 'FALSE'],
  ...['null', 'Null', 'NULL', '~', "''", '0755', '0o755', '0x1F', '0b101', '08', '09', '1_000', '+12', '-0'],
  ...['1:20', '190:20:30', '1:20.5', '3.10', '1.', '.5', '1e3', '1.0e3', '6.8523015e+5', '012345', '0.'],
  ...['-.5', '0o17', '+0x1F', '0_7', '00:11:22:33:44:55', '12:30', '1.2.3', '0x', '+1_', '-x'],
];

/** Every plain scalar's value, and merge keys and aliases, as Ansible's AnsibleLoader reads them. */
const DOC = `${SCALARS.map((s, i) => `s${i}: ${s}`).join('\n')}
base: &base {x: 1, y: 2, mode: 0644}
alias: *base
merged:
  <<: *base
  y: 3
multi:
  <<: [*base, {z: 9, x: 7}]
  w: 1
list: [*base, yes, 0755]
key_anchor: &key renamed
*key : an alias as a key
`;

const ansibleLoads = (text: string): unknown => {
  const code = `import sys, json
from ansible.parsing.yaml.loader import AnsibleLoader
print(json.dumps(AnsibleLoader(sys.stdin.read()).get_single_data(), default=str))`;
  return JSON.parse(
    execFileSync(PYTHON, ['-c', code], {
      input: text,
      encoding: 'utf8',
      env: { ...process.env, ANSIBLE_DUPLICATE_YAML_DICT_KEY: 'ignore' },
    }),
  );
};

const ansibleSkip = (): string | undefined => {
  const a = ensureAnsible();
  if ('missing' in a) return a.missing;
  return spawnSync(PYTHON, ['-c', 'import ansible.parsing.yaml.loader']).status === 0
    ? undefined
    : 'ansible is not importable by /usr/bin/python3';
};

test('plain scalars, merge keys and aliases read as Ansible reads them', (t) => {
  const skip = ansibleSkip();
  if (skip) return t.pass(`skipped: ${skip}`);
  const want = ansibleLoads(DOC) as Record<string, unknown>;
  const { src, diagnostics } = parseYaml('doc.yml', DOC);
  t.deepEqual(diagnostics, []);
  const got = JSON.parse(JSON.stringify(src.doc.toJS())) as Record<string, unknown>;
  const wrong = Object.keys(want)
    .filter((k) => JSON.stringify(got[k]) !== JSON.stringify(want[k]))
    .map(
      (k) =>
        `${k} (${k.startsWith('s') ? SCALARS[Number(k.slice(1))] : k}): ansible ${JSON.stringify(want[k])}, stackplay ${JSON.stringify(got[k])}`,
    );
  t.deepEqual(wrong, []);
  t.deepEqual(Object.keys(got), Object.keys(want), 'the same keys in the same order (merged keys first)');
  // The cases that differ from YAML 1.2 and from the yaml package's own 1.1 schema, spelled out.
  t.is(got[`s${SCALARS.indexOf('yes')}`], true);
  t.is(got[`s${SCALARS.indexOf('y')}`], 'y');
  t.is(got[`s${SCALARS.indexOf('0755')}`], 0o755);
  t.is(got[`s${SCALARS.indexOf('08')}`], '08');
  t.is(got[`s${SCALARS.indexOf('1e3')}`], '1e3');
  t.is(got[`s${SCALARS.indexOf('12:30')}`], 750);
});

test('a YAML inventory: yes/no booleans, 0755 octal, merge keys and an alias as a host whole value, as ansible-inventory reads it', (t) => {
  const skip = ansibleSkip();
  if (skip) return t.pass(`skipped: ${skip}`);
  const text = `all:
  vars:
    defaults: &defaults {ansible_user: stackato, managed: yes, umask: 0022}
  children:
    dea:
      hosts:
        dea1: &dea {ansible_host: 10.77.0.16, docker: on, slots: 0755}
        dea2: *dea
        dea3:
          <<: *dea
          docker: off
          tuned: No
`;
  const dir = mkdtempSync(join(tmpdir(), 'yaml11-inv-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'inv.yml');
  writeFileSync(file, text);
  writeFileSync(join(dir, 'ansible.cfg'), '');
  const out = execFileSync('ansible-inventory', ['-i', file, '--list'], {
    encoding: 'utf8',
    env: { ...process.env, ANSIBLE_CONFIG: join(dir, 'ansible.cfg') },
  });
  const hostvars = (JSON.parse(out) as { _meta: { hostvars: Record<string, Record<string, unknown>> } })._meta.hostvars;
  const { inventory, diagnostics } = loadInventoryTexts([{ file, text }]);
  t.deepEqual(diagnostics, []);
  for (const host of ['dea1', 'dea2', 'dea3']) {
    const vars = resolveHost(inventory, host).vars;
    const mine = Object.fromEntries(Object.keys(hostvars[host]!).map((k) => [k, vars[k]]));
    t.deepEqual(mine, hostvars[host]!, host);
  }
  t.is(resolveHost(inventory, 'dea3').vars.docker, false);
  t.is(resolveHost(inventory, 'dea2').vars.slots, 0o755);
});

test('a tag Ansible defines but stackplay cannot honour (!unsafe, !vault) is one error at its place, not a silent value', (t) => {
  const { diagnostics } = parseYaml('vars.yml', "a: 1\npw: !unsafe '{{ not a template }}'\n");
  t.is(diagnostics.length, 1);
  t.like(diagnostics[0], { code: 'E_YAML_TAG', at: { file: 'vars.yml', line: 2, col: 5 } });
  t.regex(diagnostics[0]!.hint ?? '', /raw/);
  const vault = parseYaml('vars.yml', 'pw: !vault |\n  $ANSIBLE_VAULT;1.1;AES256\n  3131\n').diagnostics;
  t.like(vault[0], { code: 'E_YAML_TAG', at: { line: 1, col: 5 } });
  t.regex(vault[0]!.hint ?? '', /Vault/);
});
