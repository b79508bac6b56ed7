// Differential: who a task runs as (become keywords on play and task, ansible_become* host vars) matches ansible-playbook.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './cli.js';

const ansible = spawnSync('sh', ['-c', 'command -v ansible-playbook'], { encoding: 'utf8' }).stdout.trim();
const canRun = process.getuid?.() === 0 && ansible !== '' && existsSync('/usr/bin/sudo');

const HOSTS = [
  'plain ansible_connection=local',
  'varuser ansible_connection=local ansible_become_user=daemon',
  'varoff ansible_connection=local ansible_become=false',
  'varon ansible_connection=local ansible_become=yes',
];

const task = (n: number, extra = '') =>
  `    - shell: "id -un > {{ out }}/{{ inventory_hostname }}-${n}"\n${extra ? `      ${extra}\n` : ''}`;

const PLAYBOOK = `- hosts: all
  gather_facts: false
  become: yes
  become_user: nobody
  tasks:
${task(1)}${task(2, 'become_user: bin')}${task(3, 'become: no')}${task(4, 'become: 1')}
- hosts: all
  gather_facts: false
  tasks:
${task(6)}${task(7, 'become: on')}${task(8, 'become_user: bin')}${task(9, 'become: y')}
`;

function results(dir: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir)
      .sort()
      .map((f) => [f, readFileSync(join(dir, f), 'utf8').trim()]),
  );
}

(canRun ? test : test.skip)('become decisions match ansible-playbook, task by task and host by host', async (t) => {
  const work = mkdtempSync(join(tmpdir(), 'stackplay-become-parity-'));
  t.teardown(() => rmSync(work, { recursive: true, force: true }));
  chmodSync(work, 0o755);
  const playbook = join(work, 'become.yml');
  writeFileSync(playbook, PLAYBOOK);
  const outs = { ansible: join(work, 'ansible'), stackplay: join(work, 'stackplay') };
  for (const d of Object.values(outs)) {
    mkdirSync(d);
    chmodSync(d, 0o1777);
  }
  const inventory = (out: string) => {
    const f = `${out}.ini`;
    writeFileSync(
      f,
      `[nodes]\n${HOSTS.join('\n')}\n[all:vars]\nout=${out}\nansible_python_interpreter=/usr/bin/python3\n`,
    );
    return f;
  };
  const a = spawnSync(ansible, ['-i', inventory(outs.ansible), playbook], {
    encoding: 'utf8',
    env: {
      ...process.env,
      ANSIBLE_NOCOLOR: '1',
      ANSIBLE_HOST_KEY_CHECKING: 'false',
      ANSIBLE_LOCAL_TEMP: join(work, 'tmp'),
    },
    timeout: 600_000,
  });
  t.is(a.status, 0, a.stdout + a.stderr);
  const s = await runCli(['run', playbook, '-i', inventory(outs.stackplay), '--output', 'plain']);
  t.is(s.code, 0, s.stdout + s.stderr);
  const theirs = results(outs.ansible);
  t.is(Object.keys(theirs).length, HOSTS.length * 8);
  t.deepEqual(results(outs.stackplay), theirs);
});
