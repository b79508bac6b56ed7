// The plays of a migration, built in code: the core, then each batch of nodes followed by a check on the core.
import type { Play, Task } from '../load/playbook-types.js';
import { builtTask } from '../load/built-task.js';

const at = { file: '(stackplay migrate)', line: 1, col: 1 };

export interface MigrateParams {
  oldIp: string;
  newIp: string;
  netmask: string;
  gateway?: string;
}

const task = (name: string, module: string, params: Record<string, unknown>): Task =>
  builtTask(name, module, params, at);

function play(name: string, hosts: string[], tasks: Task[]): Play {
  return {
    name,
    hosts: hosts.join(','),
    vars: {},
    serial: [],
    anyErrorsFatal: false,
    order: 'inventory',
    become: false,
    gatherFacts: false,
    tags: [],
    tasks,
    handlers: [],
    at,
  };
}

const migrateTask = (p: MigrateParams) =>
  task(`migrate to core ${p.newIp}`, 'migrate_core_ip', {
    old_ip: p.oldIp,
    new_ip: p.newIp,
    netmask: p.netmask,
    ...(p.gateway ? { gateway: p.gateway } : {}),
  });

export const corePlay = (core: string, p: MigrateParams): Play =>
  play(`migrate the core ${core} to ${p.newIp}`, [core], [migrateTask(p)]);

export const batchPlay = (n: number, hosts: string[], p: MigrateParams): Play =>
  play(`batch ${n}: ${hosts.join(', ')}`, hosts, [migrateTask(p)]);

export const verifyPlay = (core: string, n: number, ips: string[], p: MigrateParams): Play =>
  play(
    `check batch ${n} on the core`,
    [core],
    [task(`the core lists batch ${n} on ${p.newIp}`, 'verify_nodes', { nodes: ips, mbusip: p.newIp })],
  );
