// The kato role catalogue per version: role names, their processes, groups and the core's roles.
import type { Flavor } from './flavor.js';

const service = (name: string): string[] => [`${name}_gateway`, `${name}_node`];

/** Role -> processes (supervisord names). Only a few run for real in the lab; see procs.ts. */
export function roleProcesses(f: Flavor): Record<string, string[]> {
  const common: Record<string, string[]> = {
    base: ['logyard', 'systail'],
    router: ['router2g'],
    mdns: ['mdns'],
    filesystem: service('filesystem'),
    mysql: ['mysql', ...service('mysql')],
    postgresql: ['postgresql', ...service('postgresql')],
    redis: ['redis', ...service('redis')],
    mongodb: ['mongodb', ...service('mongodb')],
    rabbit: ['rabbit', ...service('rabbit')],
    memcached: service('memcached'),
    harbor: ['harbor_proxy', ...service('harbor')],
    load_balancer: ['nginx'],
  };
  if (f.v3) {
    return {
      ...common,
      primary: [f.storeProcess, f.mbusProcess, 'health_manager', 'stackato_rest'],
      controller: ['cloud_controller_ng', 'aok', 'stackato_rest_controller'],
      dea: ['dea_ng', 'dir_server', 'fence', 'apptail'],
      rabbit3: ['rabbit3', ...service('rabbit3')],
    };
  }
  return {
    ...common,
    primary: [f.storeProcess, f.mbusProcess, 'health_manager_next', 'stackato_rest'],
    controller: ['cloud_controller', 'aok'],
    dea: ['dea', 'prealloc'],
    stager: ['stager'],
  };
}

/** Every role `kato role add` accepts (the load balancer is only set up with `node setup load_balancer`). */
export function knownRoles(f: Flavor): string[] {
  return Object.keys(roleProcesses(f))
    .filter((r) => r !== 'load_balancer')
    .sort();
}

/** Role groups; `data-services` means the databases, RabbitMQ, memcached and the filesystem service. */
export const ROLE_GROUPS: Record<string, string[]> = {
  'data-services': ['mysql', 'postgresql', 'redis', 'mongodb', 'rabbit', 'filesystem', 'memcached'],
};

/** Roles `kato node setup core` gives the core (besides base); they can never leave it. */
export const CORE_ROLES = ['primary', 'controller', 'router'];

/** What a fresh Stackato VM (a micro cloud) has configured; 3.0 ships several data services off. */
export function microCloudRoles(f: Flavor): string[] {
  const on = ['base', 'primary', 'controller', 'router', 'dea', 'mdns', 'filesystem', 'mysql', 'harbor'];
  return f.v3 ? on : [...on, 'stager', 'postgresql', 'redis', 'mongodb', 'rabbit', 'memcached'];
}

/** Orders roles the way kato lists them: base first, then alphabetical. */
export const sortRoles = (roles: Iterable<string>): string[] =>
  [...new Set(roles)].sort((a, b) => (a === 'base' ? -1 : b === 'base' ? 1 : a.localeCompare(b)));
