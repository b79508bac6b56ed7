// The benchmark's playbooks and inventories: N hosts, each running `command: true` and small host-specific file copies.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { labPaths, proxyCommand, type LabState, type NodeRecord } from '../src/commands/lab.js';

export interface HostEntry {
  name: string;
  node: NodeRecord;
}

/** `count` inventory hosts spread round-robin over the lab's nodes (a host per node when count <= nodes). */
export function spreadHosts(s: LabState, count: number, prefix = 'h'): HostEntry[] {
  const width = String(count).length;
  return Array.from({ length: count }, (_, i) => ({
    name: `${prefix}${String(i + 1).padStart(width, '0')}`,
    node: s.nodes[i % s.nodes.length]!,
  }));
}

/**
 * An INI inventory both stackplay and ansible-playbook read: same key, known_hosts and ProxyCommand
 * (`wrapProxy` puts a command in front of the lab's, e.g. the delaying proxy).
 */
export function writeInventory(
  s: LabState,
  hosts: HostEntry[],
  file: string,
  wrapProxy: (lab: string, host: HostEntry) => string = (lab) => lab,
): string {
  const p = labPaths(s.dir);
  const lines = ['[bench]'];
  for (const h of hosts) {
    const args = `-o ProxyCommand="${wrapProxy(proxyCommand(h.node.namespace), h)}" -o UserKnownHostsFile=${p.knownHosts}`;
    lines.push(
      `${h.name} ansible_host=${h.node.address} ansible_user=root ansible_ssh_private_key_file=${p.key} ansible_ssh_common_args='${args}'`,
    );
  }
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/**
 * `commands` tasks of `command: true` then `copies` file copies with host-specific content, into
 * `<dir>/<inventory_hostname>-<i>.txt` (dir is made beforehand; nodes share /tmp with the host, so
 * the host name keeps the files of hosts apart); then `templates` renders of bench.j2 (written next to
 * the playbook) and `files` folders made with `file: state=directory`. Changed on a first run: one per
 * copy, template and file task.
 */
export function writePlaybook(
  file: string,
  o: { commands: number; copies: number; dir: string; templates?: number; files?: number; strategy?: string },
): string {
  const tasks: string[] = [];
  if (o.templates) writeFileSync(join(dirname(file), 'bench.j2'), 'rendered for {{ inventory_hostname }}\n');
  for (let i = 1; i <= o.commands; i++)
    tasks.push(`    - name: true ${i}\n      command: "true"\n      changed_when: false`);
  for (let i = 1; i <= o.copies; i++) {
    tasks.push(
      `    - name: copy ${i}\n      copy:\n        dest: "${o.dir}/{{ inventory_hostname }}-${i}.txt"\n        content: "file ${i} of {{ inventory_hostname }}\\n"\n        mode: "0644"`,
    );
  }
  for (let i = 1; i <= (o.templates ?? 0); i++) {
    tasks.push(
      `    - name: template ${i}\n      template:\n        src: bench.j2\n        dest: "${o.dir}/{{ inventory_hostname }}-t${i}.txt"\n        mode: "0644"`,
    );
  }
  for (let i = 1; i <= (o.files ?? 0); i++) {
    tasks.push(
      `    - name: folder ${i}\n      file:\n        path: "${o.dir}/{{ inventory_hostname }}-d${i}"\n        state: directory\n        mode: "0755"`,
    );
  }
  const strategy = o.strategy ? `  strategy: ${o.strategy}\n` : '';
  writeFileSync(
    file,
    `- name: bench\n  hosts: bench\n${strategy}  gather_facts: false\n  tasks:\n${tasks.join('\n')}\n`,
  );
  return file;
}

export const benchFile = (dir: string, name: string) => join(dir, name);
