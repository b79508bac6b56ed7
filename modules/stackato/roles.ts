// Stackato role names as kato knows them, and how inventory role groups map onto them.
import type { KatoSeries } from '../facts/kato.js';

/** What kato's `data-services` group enables (databases, RabbitMQ, filesystem, memcached). */
export const DATA_SERVICES = ['mysql', 'postgresql', 'redis', 'mongodb', 'rabbit', 'filesystem', 'memcached'];

/** Inventory group -> kato role to enable at attach time (core and load_balancer are set up, not attached). */
const GROUP_ROLE: Record<string, string> = {
  controller: 'controller',
  router: 'router',
  data_services: 'data-services',
  'data-services': 'data-services',
  stager: 'stager',
  dea: 'dea',
  harbor: 'harbor',
};

/** The kato roles a host should have from its inventory groups and its `stackato_roles` var. */
export function rolesFromVars(vars: Readonly<Record<string, unknown>>, series: KatoSeries): string[] {
  const groups = Array.isArray(vars.group_names) ? vars.group_names.map(String) : [];
  const extra = vars.stackato_roles;
  const extras = Array.isArray(extra)
    ? extra.map(String)
    : typeof extra === 'string'
      ? extra.split(/[,\s]+/).filter(Boolean)
      : [];
  const roles = [
    ...groups.filter((g) => Object.hasOwn(GROUP_ROLE, g)).map((g) => GROUP_ROLE[g]!),
    ...extras.map((r) => (r === 'data_services' ? 'data-services' : r)),
  ];
  // 3.x folded the stager into the DEA.
  const mapped = series === '3.x' ? roles.map((r) => (r === 'stager' ? 'dea' : r)) : roles;
  return [...new Set(mapped)];
}

/** Roles as kato will list them once enabled: role groups expanded. */
export function expandRoles(roles: readonly string[]): string[] {
  return [...new Set(roles.flatMap((r) => (r === 'data-services' ? DATA_SERVICES : [r])))];
}

export const missingRoles = (wanted: readonly string[], assigned: readonly string[]): string[] =>
  wanted.filter((r) =>
    r === 'data-services' ? DATA_SERVICES.some((d) => !assigned.includes(d)) : !assigned.includes(r),
  );

/** Roles kato keeps on every node whatever the inventory says: base everywhere (reference/kato.md 1.1), and
 * primary, controller and router on the core (section 4); a load balancer's role is set up, never attached. */
export const KEPT_ROLES = ['base', 'load_balancer'];
export const CORE_KEPT_ROLES = ['primary', 'controller', 'router'];

/** Roles the node has that `wanted` (the inventory's) no longer gives it, except the ones kato always keeps. */
export function extraRoles(wanted: readonly string[], assigned: readonly string[]): string[] {
  const keep = new Set([
    ...expandRoles(wanted),
    ...KEPT_ROLES,
    ...(assigned.includes('primary') ? CORE_KEPT_ROLES : []),
  ]);
  return assigned.filter((r) => !keep.has(r));
}
