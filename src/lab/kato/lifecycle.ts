// Roles to processes: starting and stopping what a node's roles run, and publishing the node's roles.
import type { Ctx } from './ctx.js';
import { currentHostname, saveState, type RoleState } from './node.js';
import { isRunning, launchOf, startProcess, stopProcess } from './procs.js';
import { roleProcesses, sortRoles } from './roles.js';
import type { NodeEntry, Store } from './store.js';
import { isStarting } from './timing.js';

/** The config store process is not a role process: it runs on the core whatever roles are stopped. */
function realProcesses(ctx: Ctx, role: string): string[] {
  return (roleProcesses(ctx.flavor)[role] ?? []).filter(
    (p) => p !== ctx.flavor.storeProcess && launchOf(p, ctx.flavor, ctx.id),
  );
}

export type ProcState = 'RUNNING' | 'STARTING' | 'STOPPED' | 'FATAL';

/** supervisord-style state of one process of a role in the given role state. */
export function processState(ctx: Ctx, proc: string, role: RoleState): ProcState {
  const s = processStateNow(ctx, proc, role);
  return s === 'RUNNING' && proc !== ctx.flavor.storeProcess && isStarting(ctx.state.startingUntil) ? 'STARTING' : s;
}

function processStateNow(ctx: Ctx, proc: string, role: RoleState): ProcState {
  if (proc === ctx.flavor.storeProcess)
    return isRunning(proc) ? 'RUNNING' : ctx.state.mode === 'core' ? 'FATAL' : 'STOPPED';
  if (!launchOf(proc, ctx.flavor, ctx.id)) return role === 'running' ? 'RUNNING' : 'STOPPED';
  if (isRunning(proc)) return 'RUNNING';
  return role === 'running' ? 'FATAL' : 'STOPPED';
}

export function nodeEntry(ctx: Ctx): NodeEntry {
  const roles = Object.fromEntries(sortRoles(Object.keys(ctx.state.roles)).map((r) => [r, ctx.state.roles[r]!]));
  const until = ctx.state.startingUntil;
  return {
    name: ctx.id.name,
    hostname: currentHostname(),
    roles,
    ...(isStarting(until) ? { startingUntil: until } : {}),
  };
}

/**
 * Makes the node run `next` (role -> running|stopped; absent roles are removed): stops processes of roles
 * that stop or leave, starts those of running roles, then saves the state and tells the cluster.
 */
export async function applyRoles(
  ctx: Ctx,
  next: Record<string, RoleState>,
  store: Store | null,
  o: { stop?: boolean } = {},
): Promise<void> {
  const before = ctx.state.roles;
  for (const role of Object.keys(before)) {
    // 2.x `role remove --no-stop` leaves a removed role's processes running.
    const keep = o.stop === false && !Object.hasOwn(next, role);
    if (next[role] !== 'running' && !keep) for (const p of realProcesses(ctx, role)) await stopProcess(ctx, p);
  }
  ctx.state.roles = Object.fromEntries(sortRoles(Object.keys(next)).map((r) => [r, next[r]!]));
  saveState(ctx.state);
  try {
    for (const role of Object.keys(next)) {
      if (next[role] === 'running') for (const p of realProcesses(ctx, role)) await startProcess(ctx, p);
    }
  } finally {
    if (store && ctx.state.mode !== 'micro') await store.putNode(ctx.ip, nodeEntry(ctx));
  }
}

/** Restarts the real processes of running roles (after a rename or migrate, as kato does unless --no-restart). */
export async function restartRunning(ctx: Ctx, roles: readonly string[] = Object.keys(ctx.state.roles)): Promise<void> {
  for (const role of roles) {
    if (ctx.state.roles[role] !== 'running') continue;
    for (const p of realProcesses(ctx, role)) {
      await stopProcess(ctx, p);
      await startProcess(ctx, p);
    }
  }
}

export const withState = (roles: readonly string[], state: RoleState): Record<string, RoleState> =>
  Object.fromEntries(roles.map((r) => [r, state]));
