// Pure rules of `kato role add|remove` and `attach -e`: which roles change, or why the request is refused.
import { didYouMean } from '../../suggest.js';
import { KatoError } from './errors.js';
import type { Flavor } from './flavor.js';
import { CORE_ROLES, knownRoles, ROLE_GROUPS, sortRoles } from './roles.js';

export interface RoleContext {
  flavor: Flavor;
  /** Roles configured on this node now. */
  assigned: readonly string[];
  isCore: boolean;
  /** Attached to a core (or the core itself); false on a micro cloud. */
  inCluster: boolean;
}

export interface RoleRequest {
  roles: string[];
  all?: boolean;
  allBut?: boolean;
  only?: boolean;
}
export interface RoleChange {
  add: string[];
  remove: string[];
  warnings: string[];
}

const isLoadBalancer = (c: RoleContext): boolean => c.assigned.includes('load_balancer');
/** Roles a node can never lose: base everywhere, plus primary, controller and router on the core. */
export const requiredRoles = (c: Pick<RoleContext, 'isCore'>): string[] => ['base', ...(c.isCore ? CORE_ROLES : [])];

/** Expands groups and checks every name; unknown names are refused with a did-you-mean hint. */
export function expandRoleNames(names: readonly string[], f: Flavor): string[] {
  const known = knownRoles(f);
  const out: string[] = [];
  for (const raw of names) {
    const name = raw.trim();
    if (ROLE_GROUPS[name]) {
      out.push(...ROLE_GROUPS[name]);
      continue;
    }
    if (known.includes(name)) {
      out.push(name);
      continue;
    }
    if (name === 'load_balancer')
      throw new KatoError(
        'the load balancer role cannot be added this way',
        'set a load balancer up with `kato node setup load_balancer`',
      );
    if (name === 'stager' && f.v3)
      throw new KatoError('unknown role "stager"', 'Stackato 3.0 folded the stager into the dea role: use dea');
    const hint = didYouMean(name, [...known, ...Object.keys(ROLE_GROUPS)]);
    throw new KatoError(`unknown role "${name}"`, hint ?? `known roles: ${known.join(', ')}`);
  }
  return sortRoles(out);
}

/** Roles this node could still add (what `kato info` lists as available). */
export function availableRoles(c: RoleContext): string[] {
  if (isLoadBalancer(c)) return [];
  const blocked = new Set([...c.assigned, ...(c.inCluster && !c.isCore ? ['primary'] : [])]);
  return knownRoles(c.flavor).filter((r) => !blocked.has(r));
}

function checkExclusive(r: RoleRequest, verb: 'add' | 'remove'): void {
  const modes = [r.all && '--all', r.allBut && '--all-but', r.only && '--only'].filter(Boolean);
  if (modes.length > 1) throw new KatoError(`${modes.join(' and ')} cannot be used together`);
  if (r.all && r.roles.length) throw new KatoError(`--all takes no role names (got ${r.roles.join(' ')})`);
  if ((r.allBut || r.only) && !r.roles.length)
    throw new KatoError(`${r.allBut ? '--all-but' : '--only'} needs at least one role`);
  if (!modes.length && !r.roles.length) throw new KatoError(`no roles given to ${verb}`, `e.g. kato role ${verb} dea`);
}

export function planRoleAdd(c: RoleContext, r: RoleRequest): RoleChange {
  checkExclusive(r, 'add');
  const named = expandRoleNames(r.roles, c.flavor);
  const warnings: string[] = [];
  const available = availableRoles({ ...c, assigned: [] });
  let target: string[];
  if (r.all) target = available;
  else if (r.allBut) target = available.filter((x) => !named.includes(x));
  else target = named;
  if (isLoadBalancer(c) && target.some((x) => x !== 'base')) {
    throw new KatoError('a node set up as a load balancer cannot have any other roles');
  }
  if (!r.all && !r.allBut && target.includes('primary') && c.inCluster && !c.isCore) {
    throw new KatoError('the primary role runs only on the core node', 'a cluster has exactly one primary');
  }
  if (target.includes('mdns') && c.inCluster)
    warnings.push('mdns is meant for micro clouds and does not work in a cluster');
  const add = sortRoles(target.filter((x) => !c.assigned.includes(x)));
  let remove: string[] = [];
  if (r.only) {
    const keep = new Set([...target, ...requiredRoles(c)]);
    const dropped = c.assigned.filter((x) => !keep.has(x) && x !== 'load_balancer');
    remove = sortRoles(dropped);
  }
  if (r.only && c.isCore) {
    const missing = CORE_ROLES.filter((x) => !target.includes(x));
    if (missing.length) warnings.push(`${missing.join(', ')} stay on the core node`);
  }
  return { add, remove, warnings };
}

export function planRoleRemove(c: RoleContext, r: RoleRequest): RoleChange {
  if (r.only) throw new KatoError('--only is an option of `kato role add`');
  checkExclusive(r, 'remove');
  const named = r.roles.length ? expandRoleNames(r.roles, c.flavor) : [];
  const required = requiredRoles(c);
  const warnings: string[] = [];
  if (r.all || r.allBut) {
    const keep = new Set([...required, ...named]);
    return { add: [], remove: sortRoles(c.assigned.filter((x) => !keep.has(x) && x !== 'load_balancer')), warnings };
  }
  if (named.includes('base'))
    throw new KatoError('the base role cannot be removed', 'every node needs base to be part of a cluster');
  const fromCore = named.filter((x) => required.includes(x));
  if (fromCore.length) {
    throw new KatoError(
      `${fromCore.join(', ')} cannot be removed from the core node`,
      'the core always runs primary, controller and router',
    );
  }
  for (const x of named) if (!c.assigned.includes(x)) warnings.push(`role ${x} is not configured on this node`);
  return { add: [], remove: sortRoles(named.filter((x) => c.assigned.includes(x))), warnings };
}
