// Helpers shared by kato commands: the store for this node, /etc/hosts, role context and mode checks.
import { existsSync, readFileSync } from 'node:fs';
import type { Ctx } from './ctx.js';
import { KatoError } from './errors.js';
import { renderHosts } from './hosts.js';
import { currentHostname, PATHS } from './node.js';
import type { RoleContext } from './role-plan.js';
import { sortRoles } from './roles.js';
import { openStore, type Store } from './store.js';
import { writeSystemFile } from './sudo.js';

export async function withStore<T>(ctx: Ctx, fn: (s: Store) => Promise<T>): Promise<T> {
  const store = await openStore(ctx.state, ctx.flavor);
  try {
    return await fn(store);
  } finally {
    store.close();
  }
}

export const assignedRoles = (ctx: Ctx): string[] => sortRoles(Object.keys(ctx.state.roles));

export const roleContext = (ctx: Ctx): RoleContext => ({
  flavor: ctx.flavor,
  assigned: assignedRoles(ctx),
  isCore: ctx.state.mode === 'core',
  inCluster: ctx.state.mode !== 'micro',
});

/** Rewrites /etc/hosts for the node's name, its address and (in a cluster) the core's address. */
export async function writeHosts(ctx: Ctx, forget: readonly string[] = []): Promise<void> {
  const existing = existsSync(PATHS.hosts) ? readFileSync(PATHS.hosts, 'utf8') : '';
  const core = ctx.state.mode === 'micro' ? undefined : { ip: ctx.state.mbusip, endpoint: ctx.state.endpoint };
  await writeSystemFile(
    ctx,
    PATHS.hosts,
    renderHosts(existing, { ip: ctx.ip, hostname: currentHostname(), ...(core ? { core } : {}), forget }),
  );
}

export function requireCore(ctx: Ctx, what: string): void {
  if (ctx.state.mode !== 'core') {
    throw new KatoError(
      `${what} must be run on the core node`,
      ctx.state.mode === 'attached' ? `the core is ${ctx.state.mbusip}` : 'this node is not part of a cluster',
    );
  }
}

export const isIPv4 = (s: string): boolean =>
  /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.test(s) &&
  s.split('.').every((o) => Number(o) <= 255 && String(Number(o)) === o);

export function checkIp(s: string, what: string): string {
  if (!isIPv4(s)) throw new KatoError(`${what} "${s}" is not a valid IPv4 address`);
  return s;
}

/** An integer number of seconds from the environment, else the default. */
export function envSeconds(ctx: Ctx, name: string, fallback: number): number {
  const v = Number(ctx.env[name]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
}
