// Stackato role groups, the phase order hosts run in, and the real kato role names (reference/kato.md §1.1).
import type { ResolvedHost } from './types.js';

/** The role groups in phase order (DESIGN.md §3 and §4). */
export const ROLE_NAMES = [
  'core',
  'controller',
  'router',
  'data_services',
  'stager',
  'dea',
  'harbor',
  'load_balancer',
] as const;
export type RoleGroup = (typeof ROLE_NAMES)[number];

/** Group names that make a host take a role, aliases included (for `ROLE_GROUPS.has(groupName)`). */
export const ROLE_GROUP_ALIASES: Readonly<Record<string, RoleGroup>> = { 'data-services': 'data_services' };
export const ROLE_GROUPS: ReadonlySet<string> = new Set<string>([...ROLE_NAMES, ...Object.keys(ROLE_GROUP_ALIASES)]);

/** Phase order; hosts with no role run last, in 'other'. */
export const PHASES = [...ROLE_NAMES, 'other'] as const;
export type Phase = (typeof PHASES)[number];

/**
 * Roles kato knows (`kato role add`, `node attach -e`), from reference/kato.md §1.1. `data-services` is
 * kato's role group for every data service; `load_balancer` is set up by `kato node setup load_balancer`.
 * health manager is left out: from 3.x on it is part of `primary`.
 */
export const KATO_ROLES: readonly string[] = [
  'base',
  'primary',
  'controller',
  'router',
  'dea',
  'stager',
  'mdns',
  'filesystem',
  'mysql',
  'postgresql',
  'redis',
  'mongodb',
  'rabbit',
  'rabbit3',
  'memcached',
  'harbor',
  'nats',
  'load_balancer',
  'data-services',
  'data_services',
];

/** Which phase a kato role named in stackato_roles belongs to, when it has one. */
const KATO_ROLE_PHASE: Readonly<Record<string, RoleGroup>> = {
  primary: 'core',
  controller: 'controller',
  router: 'router',
  stager: 'stager',
  dea: 'dea',
  harbor: 'harbor',
  load_balancer: 'load_balancer',
  'data-services': 'data_services',
  data_services: 'data_services',
  mysql: 'data_services',
  postgresql: 'data_services',
  redis: 'data_services',
  mongodb: 'data_services',
  rabbit: 'data_services',
  rabbit3: 'data_services',
  memcached: 'data_services',
  filesystem: 'data_services',
};

/** The role group a group name stands for, if any. */
export function roleGroupOf(group: string): RoleGroup | undefined {
  if ((ROLE_NAMES as readonly string[]).includes(group)) return group as RoleGroup;
  return Object.hasOwn(ROLE_GROUP_ALIASES, group) ? ROLE_GROUP_ALIASES[group] : undefined;
}

/** `stackato_roles` as a list: a YAML/JSON list, or a comma- or space-separated string. */
export function extraRoles(value: unknown): { roles: string[]; error?: string } {
  if (value === undefined || value === null || value === '') return { roles: [] };
  if (typeof value === 'string') return { roles: value.split(/[\s,]+/).filter(Boolean) };
  if (Array.isArray(value) && value.every((v) => typeof v === 'string'))
    return { roles: value.map((v) => v.trim()).filter(Boolean) };
  return { roles: [], error: 'stackato_roles must be a list of role names or a comma-separated string' };
}

/** Role groups the host is in (phase order), then its extra stackato_roles, without duplicates. */
export function rolesOf(resolved: ResolvedHost): string[] {
  const out = new Set<string>();
  for (const role of ROLE_NAMES) {
    if (resolved.groups.some((g) => roleGroupOf(g) === role)) out.add(role);
  }
  for (const r of extraRoles(resolved.vars.stackato_roles).roles) out.add(r);
  return [...out];
}

/** The earliest phase among the host's roles; 'other' when none has a phase. */
export function phaseOf(resolved: ResolvedHost): Phase {
  const phases = rolesOf(resolved)
    .map((r) => roleGroupOf(r) ?? (Object.hasOwn(KATO_ROLE_PHASE, r) ? KATO_ROLE_PHASE[r] : undefined))
    .filter((p): p is RoleGroup => !!p);
  let best: Phase = 'other';
  for (const p of phases) if (PHASES.indexOf(p) < PHASES.indexOf(best)) best = p;
  return best;
}

/** "1 core", "8 load_balancer", "9 other": how listings show a phase. */
export const phaseLabel = (phase: Phase): string => `${PHASES.indexOf(phase) + 1} ${phase}`;
