// What validate-before-touch costs at load: N hosts x T tasks through loadForRun, and the variable check alone.
//   node --import tsx bench/validate-vars.ts [HOSTS=1000] [TASKS=50]
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { clusterVars } from '../src/engine/run-plays.js';
import { loadForRun } from '../src/run.js';
import { checkUndefinedVars } from '../src/validate/undefined-vars.js';

const HOSTS = Number(process.argv[2] ?? 1000);
const TASKS = Number(process.argv[3] ?? 50);

/** Hosts in four groups, each with a few vars of its own; one group has a var the others lack. */
function inventory(): string {
  const lines: string[] = [];
  for (const g of ['web', 'app', 'db', 'cache']) {
    lines.push(`[${g}]`);
    for (let i = 0; i < HOSTS / 4; i++)
      lines.push(
        `${g}${i} ansible_connection=local port=${8000 + i} role_${g}=true${g === 'db' ? ' db_name=main' : ''}`,
      );
  }
  lines.push('[all:vars]', 'site=example.test', 'netmask=255.255.255.0');
  return `${lines.join('\n')}\n`;
}

/** A task mix: params with filters, guarded uses, when, loops, registers, set_fact, a template file. */
function playbook(): string {
  const tasks: string[] = [];
  for (let i = 0; i < TASKS; i++) {
    switch (i % 6) {
      case 0:
        tasks.push(
          `    - command: "echo {{ site }} {{ port | int + ${i} }} {{ inventory_hostname }}"\n      register: r${i}`,
        );
        break;
      case 1:
        tasks.push(`    - debug: { msg: "{{ db_name }}" }\n      when: "'db' in group_names"`);
        break;
      case 2:
        tasks.push(
          `    - debug: { msg: "{{ item }} {{ r${i - 2}.rc | default(0) }} {{ endpoint }}" }\n      loop: "{{ groups.web[:3] }}"`,
        );
        break;
      case 3:
        tasks.push(`    - set_fact: { f${i}: "{{ netmask }}/{{ port }}" }`);
        break;
      case 4:
        tasks.push(
          `    - debug: { msg: "{% if tls is defined %}{{ tls.cert }}{% endif %}{{ f${i - 1} }}" }\n      changed_when: r${i - 4}.rc != 0`,
        );
        break;
      default:
        tasks.push('    - template: { src: app.conf.j2, dest: /tmp/app.conf }');
    }
  }
  return `- hosts: all\n  vars:\n    endpoint: "api.{{ site }}"\n  tasks:\n${tasks.join('\n')}\n`;
}

const TEMPLATE = `{% for h in groups.web[:5] %}{{ h }} {{ hostvars[h].port }}\n{% endfor %}listen {{ port }}\n{{ site | upper }}\n`;

const dir = mkdtempSync(join(tmpdir(), 'sp-bench-validate-'));
try {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'hosts.ini'), inventory());
  writeFileSync(join(dir, 'site.yml'), playbook());
  writeFileSync(join(dir, 'app.conf.j2'), TEMPLATE);
  const o = { playbook: join(dir, 'site.yml'), inventories: [join(dir, 'hosts.ini')], extraVars: [] };
  let t = performance.now();
  const first = loadForRun(o);
  const loadMs = performance.now() - t;
  if (!first.loaded) throw new Error(first.diagnostics.map((d) => d.message).join('\n'));
  const { loaded } = first;
  const input = {
    playbook: loaded.playbook,
    inventory: loaded.inventory,
    hosts: loaded.hosts,
    extraVars: loaded.extraVars,
    clusterVars: clusterVars(loaded.inventory, loaded.hosts),
    check: true,
  };
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    t = performance.now();
    const ds = checkUndefinedVars(input);
    best = Math.min(best, performance.now() - t);
    if (ds.length) throw new Error(`unexpected: ${ds[0]!.message}`);
  }
  const noCheck = performance.now();
  loadForRun(o, { connections: false });
  const noCheckMs = performance.now() - noCheck;
  console.log(`${HOSTS} hosts x ${TASKS} tasks (${HOSTS * TASKS} host-tasks)`);
  console.log(`loadForRun, first (everything, cold caches): ${loadMs.toFixed(0)} ms`);
  console.log(`loadForRun without connection and variable checks: ${noCheckMs.toFixed(0)} ms`);
  console.log(`variable check alone, best of 3 (warm): ${best.toFixed(0)} ms`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
