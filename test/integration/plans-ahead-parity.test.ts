// Differential over the lab: declarative tasks planned ahead under free give ansible-playbook's statuses and files, task by task.
import test from 'ava';
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { spreadHosts, writeInventory } from '../../bench/workload.js';
import { labPaths } from '../../src/lab/state.js';
import type { RunEvent } from '../../src/report/events.js';
import { ansibleEnv, ensureAnsible } from '../helpers/ansible-core.js';
import { labSkipReason, withLab } from '../helpers/lab.js';
import { runCli } from './cli.js';

const skip = labSkipReason();
const labTest = skip ? test.skip : test.serial;
if (skip) test('plans ahead against ansible-playbook (skipped: needs the lab)', (t) => t.pass(skip));

/**
 * Under free every host walks alone, so each changing task carries the ones after it: a copy whose
 * file an earlier task in the chain wrote (its guard differs), a folder and a file in it, a write
 * that fails on one host only (the rest of that host's tasks must not run), a copy that finds its
 * file already as wanted.
 */
const PLAYBOOK = `- hosts: bench
  strategy: free
  gather_facts: false
  tasks:
    - name: start
      command: "true"
      changed_when: false
    - name: one
      copy: { dest: "{{ d }}/{{ inventory_hostname }}-same", content: "one\\n" }
    - name: two
      copy: { dest: "{{ d }}/{{ inventory_hostname }}-same", content: "two\\n", mode: "0600" }
    - name: folder
      file: { path: "{{ d }}/{{ inventory_hostname }}-dir", state: directory, mode: "0750" }
    - name: inside
      copy: { dest: "{{ d }}/{{ inventory_hostname }}-dir/f", content: "in\\n", mode: "0644" }
    - name: nowhere on h2
      copy: { dest: "{{ d }}/{{ inventory_hostname }}-{{ 'missing/f' if inventory_hostname == 'h2' else 'present' }}", content: "x\\n", mode: "0644" }
    - name: after
      copy: { dest: "{{ d }}/{{ inventory_hostname }}-after", content: "after\\n", mode: "0644" }
    - name: the same again
      copy: { dest: "{{ d }}/{{ inventory_hostname }}-same", content: "two\\n", mode: "0600" }
`;

type Status = 'ok' | 'changed' | 'failed' | 'skipped';

/** Per host, each task's status in order, from ansible-playbook's json callback. */
function ansibleStatuses(json: string): Record<string, string[]> {
  const report = JSON.parse(json) as {
    plays: { tasks: { task: { name: string }; hosts: Record<string, Record<string, unknown>> }[] }[];
  };
  const out: Record<string, string[]> = {};
  for (const task of report.plays[0]!.tasks)
    for (const [host, r] of Object.entries(task.hosts)) {
      const status: Status = r.failed ? 'failed' : r.skipped ? 'skipped' : r.changed ? 'changed' : 'ok';
      out[host] = [...(out[host] ?? []), `${task.task.name}: ${status}`];
    }
  return out;
}

/** The same from stackplay's events. */
function stackplayStatuses(events: RunEvent[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const e of events)
    if (e.type === 'host:end') out[e.host] = [...(out[e.host] ?? []), `${e.task.name}: ${e.status}`];
  return out;
}

labTest('plans made ahead: the statuses and files ansible-playbook gives, on a first run and a rerun', async (t) => {
  const ansible = ensureAnsible();
  if ('missing' in ansible) {
    t.log(`ansible-playbook: ${ansible.missing}`);
    t.pass();
    return;
  }
  await withLab(t, { nodes: 2 }, async (lab) => {
    const base = mkdtempSync(join(tmpdir(), 'stackplay-pa-parity-'));
    t.teardown(() => rmSync(base, { recursive: true, force: true }));
    chmodSync(base, 0o755);
    const inventory = writeInventory(lab.state, spreadHosts(lab.state, 2), join(base, 'inventory.ini'));
    const playbook = join(base, 'plays.yml');
    writeFileSync(playbook, PLAYBOOK);
    const env = ansibleEnv(join(base, 'ansible-tmp'), {
      ANSIBLE_STDOUT_CALLBACK: 'json',
      ANSIBLE_HOST_KEY_CHECKING: 'True',
      ANSIBLE_SSH_ARGS: `-F /dev/null -o UserKnownHostsFile=${labPaths(lab.dir).knownHosts} -o IdentitiesOnly=yes -o BatchMode=yes`,
    });
    const seen: Record<string, { statuses: Record<string, string[]>[]; files: Record<string, string> }> = {};
    for (const runner of ['ansible', 'stackplay'] as const) {
      // A folder of its own on each node for each runner, read back there.
      const d = `/root/pa-parity-${runner}`;
      for (const n of lab.state.nodes) await lab.exec(n.name, `rm -rf ${d}; mkdir -p ${d}`);
      const statuses: Record<string, string[]>[] = [];
      for (let pass = 0; pass < 2; pass++) {
        if (runner === 'ansible') {
          const r = await promisify(execFile)(ansible.bin, ['-i', inventory, '-e', `d=${d}`, playbook], {
            env,
            maxBuffer: 64 * 1024 * 1024,
          }).catch((e: { stdout?: string; code?: number }) => ({ stdout: e.stdout ?? '', code: e.code }));
          statuses.push(ansibleStatuses(r.stdout));
        } else {
          const r = await runCli(['run', playbook, '-i', inventory, '-e', `d=${d}`, '--output', 'json']);
          t.is(r.code, 2, r.stderr);
          statuses.push(stackplayStatuses(r.events));
        }
      }
      const files: Record<string, string> = {};
      for (const n of lab.state.nodes) {
        const r = await lab.exec(
          n.name,
          `cd ${d} && find . -mindepth 1 | sort | while read -r f; do printf '%s %s ' "$f" "$(stat -c '%F %U %a' "$f")"; [ -f "$f" ] && cat "$f"; echo; done`,
        );
        files[n.name] = r.stdout;
      }
      seen[runner] = { statuses, files };
    }
    t.log(seen.stackplay!.statuses[0], seen.stackplay!.files);
    // The case is the one meant: h1 reaches the end, h2 stops at its failing write.
    t.is(seen.ansible!.statuses[0]!.h1!.at(-1), 'the same again: ok');
    t.is(seen.ansible!.statuses[0]!.h2!.at(-1), 'nowhere on h2: failed');
    t.deepEqual(seen.stackplay!.statuses, seen.ansible!.statuses, 'every task on every host, first run and rerun');
    t.deepEqual(seen.stackplay!.files, seen.ansible!.files, 'what is on the hosts afterwards');
  });
});
