// The plays of a migration, built in code: the survey, the backup, the core, each batch of nodes, and the check on the core.
import type { Play, Task } from '../load/playbook-types.js';
import { builtTask } from '../load/built-task.js';

const at = { file: '(stackplay migrate)', line: 1, col: 1 };

export interface MigrateParams {
  oldIp: string;
  newIp: string;
  netmask: string;
  gateway?: string;
  /** The core's DNS lists when the inventory gives them (else the module keeps the core's own). */
  dnsNameservers?: string[];
  dnsSearchDomains?: string[];
}

/** Names under which plays register what stackplay migrate reads back. */
export const REGISTERED = { survey: 'migrate_survey', move: 'migrate_move', verify: 'migrate_verify' } as const;

const task = (name: string, module: string, params: Record<string, unknown>, register?: string): Task =>
  builtTask(name, module, params, at, register ? { register } : {});

function play(name: string, hosts: string[], tasks: Task[]): Play {
  return {
    name,
    hosts: hosts.join(','),
    vars: {},
    serial: [],
    anyErrorsFatal: false,
    order: 'inventory',
    become: true,
    gatherFacts: false,
    tags: [],
    tasks,
    handlers: [],
    at,
  };
}

const migrateTask = (p: MigrateParams, core: boolean, lb = false) =>
  task(
    `migrate to core ${p.newIp}`,
    'migrate_core_ip',
    {
      old_ip: p.oldIp,
      new_ip: p.newIp,
      ...(core
        ? {
            core: true,
            netmask: p.netmask,
            ...(p.gateway ? { gateway: p.gateway } : {}),
            ...(p.dnsNameservers ? { dns_nameservers: p.dnsNameservers } : {}),
            ...(p.dnsSearchDomains ? { dns_search_domains: p.dnsSearchDomains } : {}),
          }
        : lb
          ? { load_balancer: true }
          : {}),
    },
    REGISTERED.move,
  );

/** Read-only: each node's kato version, roles and mbus IP, before anything is touched. */
export const surveyPlay = (hosts: string[], p: MigrateParams): Play =>
  play(`survey: which nodes follow the core at ${p.oldIp}`, hosts, [
    task('read kato info', 'kato_facts', {}, REGISTERED.survey),
  ]);

export const backupPlay = (core: string, dest: string): Play =>
  play(
    `back up the cluster config on ${core}`,
    [core],
    [task('config store to the controller', 'config_backup', { dest })],
  );

export const corePlay = (core: string, p: MigrateParams): Play =>
  play(`migrate the core ${core} to ${p.newIp}`, [core], [migrateTask(p, true)]);

/** Load balancers come in batches of their own (they move first), so `lb` holds for the whole batch. */
export const batchPlay = (n: number, hosts: string[], p: MigrateParams, lb: boolean): Play =>
  play(`batch ${n}: ${hosts.join(', ')}`, hosts, [migrateTask(p, false, lb)]);

export const verifyPlay = (core: string, n: number, nodes: Record<string, string[]>, p: MigrateParams): Play =>
  play(
    `check batch ${n} on the core`,
    [core],
    [
      task(
        `the core lists batch ${n} on ${p.newIp}, its roles running`,
        'verify_nodes',
        { nodes: Object.keys(nodes), mbusip: p.newIp, running: nodes },
        REGISTERED.verify,
      ),
    ],
  );
