// A node's part of a core IP change: follow the core to its new address, per kato version (reference/kato.md 2.2, 2.7).
import { exec, kato, semver, type Plan, type Step } from '../../src/sdk.js';
import type { KatoInfo, KatoSeries } from '../facts/kato.js';

export interface FollowFacts {
  version: string;
  series: KatoSeries;
  info: KatoInfo;
  /** The routers in this node's nginx pool (a load balancer's). */
  pool: string[];
}

export interface Follow {
  old_ip: string;
  new_ip: string;
  /** The node is the cluster's load balancer (it may have lost the role in an interrupted re-attach). */
  load_balancer: boolean;
}

const byIp = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true });

/** The pool with the core's old address swapped for its new one: the same routers, none at a dead address. */
export const poolAfter = (pool: readonly string[], p: Follow): string[] =>
  [...new Set(pool.map((ip) => (ip === p.old_ip ? p.new_ip : ip)))].sort(byIp);

/**
 * The load balancer set up again over its own pool: needed when the pool still has the core's old
 * address, or when a 3.0-3.5 re-attach (which takes no roles for a load balancer) dropped its role.
 */
function lbSteps(f: FollowFacts, p: Follow, lostRole: boolean): Step[] {
  const stale = p.old_ip !== p.new_ip && f.pool.includes(p.old_ip);
  if (!lostRole && !stale) return [];
  const pool = poolAfter(f.pool, p);
  if (!pool.length)
    return [
      exec(
        '~ load balancer: set up again over every router of the cluster',
        f.series === '2.x' ? kato`kato node setup load_balancer` : kato`kato node setup load_balancer --force`,
        f.series === '2.x' ? { stdin: 'y\n' } : {},
      ),
    ];
  return [
    exec(
      `~ load balancer pool: ${f.pool.join(', ') || '(none)'} -> ${pool.join(', ')}${lostRole ? ' (role set up again)' : ''}`,
      kato`kato node setup load_balancer ${pool}`,
    ),
  ];
}

/** The re-attach command: 2.x migrates on every node; 3.6 reattaches; 3.0-3.5 attaches again with its roles. */
function followCommand(f: FollowFacts, p: Follow): Step {
  const roles = f.info.assigned.filter((r) => r !== 'base' && r !== 'load_balancer');
  const cmd =
    f.series === '2.x'
      ? kato`kato node migrate ${p.old_ip} ${p.new_ip}`
      : semver.gte(f.version, '3.6.0')
        ? kato`kato node reattach ${p.new_ip}`
        : roles.length && !p.load_balancer
          ? kato`kato node attach -e ${roles.join(',')} ${p.new_ip}`
          : kato`kato node attach ${p.new_ip}`;
  return exec(`~ core: ${f.info.mbusip ?? '(none)'} -> ${p.new_ip}`, cmd);
}

export function planFollow(f: FollowFacts, p: Follow): Plan {
  const { info } = f;
  const lb = p.load_balancer || info.assigned.includes('load_balancer');
  const data = { node_ip: info.ip, roles: info.assigned };
  if (info.mbusip === p.new_ip) {
    const steps = lb ? lbSteps(f, p, !info.assigned.includes('load_balancer')) : [];
    return steps.length ? { steps, data } : { steps: [], note: `attached to the core at ${p.new_ip}`, data };
  }
  if (info.mbusip !== p.old_ip) {
    const where =
      info.mbusip === null || info.mbusip.startsWith('127.')
        ? 'it is not attached to any core (a micro cloud)'
        : `it is attached to ${info.mbusip}`;
    return { steps: [], fail: `not attached to the core at ${p.old_ip}: ${where}; nothing was changed`, data };
  }
  // 3.0-3.5 attach a load balancer with no roles (reference/kato.md 2.2), so its role is set up again.
  const dropsLbRole = lb && f.series === '3.x' && semver.lt(f.version, '3.6.0');
  return { steps: [followCommand(f, p), ...(lb ? lbSteps(f, p, dropsLbRole) : [])], data };
}
