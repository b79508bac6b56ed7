// kato role add | remove and kato start | stop | restart: roles of this node and their processes.
import { flag, value, type Parsed } from './args.js';
import { assignedRoles, roleContext, withStore } from './cluster.js';
import type { Ctx } from './ctx.js';
import { KatoError } from './errors.js';
import { applyRoles, restartRunning } from './lifecycle.js';
import type { RoleState } from './node.js';
import { startProcess, stopProcess } from './procs.js';
import { expandRoleNames, planRoleAdd, planRoleRemove, type RoleChange } from './role-plan.js';

function onlyThisNode(ctx: Ctx, p: Parsed): void {
  const n = value(p, 'node');
  if (n !== undefined && n !== ctx.ip) {
    throw new KatoError(
      `the lab's kato acts on the node it runs on (${ctx.ip}), not on ${n}`,
      `run the command on ${n}`,
    );
  }
}

/** applyRoles with the cluster store when the node is in a cluster. */
export async function applyHere(ctx: Ctx, next: Record<string, RoleState>, o: { stop?: boolean } = {}): Promise<void> {
  if (ctx.state.mode === 'micro') return applyRoles(ctx, next, null, o);
  return withStore(ctx, (s) => applyRoles(ctx, next, s, o));
}

async function change(ctx: Ctx, c: RoleChange, state: RoleState, o: { stop?: boolean } = {}): Promise<void> {
  for (const w of c.warnings) ctx.err(`Warning: ${w}\n`);
  if (!c.add.length && !c.remove.length) return ctx.out('No change: the roles are already configured that way\n');
  const next = { ...ctx.state.roles };
  for (const r of c.add) next[r] = state;
  for (const r of c.remove) delete next[r];
  await applyHere(ctx, next, o);
  if (c.add.length) ctx.out(`Added roles: ${c.add.join(' ')}\n`);
  if (c.remove.length) ctx.out(`Removed roles: ${c.remove.join(' ')}\n`);
}

export async function roleAdd(ctx: Ctx, p: Parsed): Promise<void> {
  onlyThisNode(ctx, p);
  const c = planRoleAdd(roleContext(ctx), {
    roles: p.args,
    all: flag(p, 'all'),
    allBut: flag(p, 'all-but'),
    only: flag(p, 'only'),
  });
  await change(ctx, c, flag(p, 'no-start') ? 'stopped' : 'running');
}

export async function roleRemove(ctx: Ctx, p: Parsed): Promise<void> {
  onlyThisNode(ctx, p);
  const c = planRoleRemove(roleContext(ctx), {
    roles: p.args,
    all: flag(p, 'all'),
    allBut: flag(p, 'all-but'),
    only: flag(p, 'only'),
  });
  await change(ctx, c, 'stopped', { stop: !flag(p, 'no-stop') });
}

function targetRoles(ctx: Ctx, p: Parsed): string[] {
  onlyThisNode(ctx, p);
  if (!p.args.length) return assignedRoles(ctx);
  const roles = expandRoleNames(p.args, ctx.flavor);
  const missing = roles.filter((r) => !ctx.state.roles[r]);
  if (missing.length)
    throw new KatoError(
      `not configured on this node: ${missing.join(', ')}`,
      `configured: ${assignedRoles(ctx).join(', ')}`,
    );
  return roles;
}

export async function start(ctx: Ctx, p: Parsed): Promise<void> {
  const roles = targetRoles(ctx, p);
  if (ctx.state.mode === 'core') await startProcess(ctx, ctx.flavor.storeProcess);
  await applyHere(ctx, { ...ctx.state.roles, ...Object.fromEntries(roles.map((r) => [r, 'running' as const])) });
  ctx.out(`Started: ${roles.join(' ')}\n`);
}

export async function stop(ctx: Ctx, p: Parsed): Promise<void> {
  const roles = targetRoles(ctx, p);
  await applyHere(ctx, { ...ctx.state.roles, ...Object.fromEntries(roles.map((r) => [r, 'stopped' as const])) });
  // 2.x `stop -a` also stops doozerd, the config store.
  if (flag(p, 'all') && ctx.state.mode === 'core') await stopProcess(ctx, ctx.flavor.storeProcess);
  ctx.out(`Stopped: ${roles.join(' ')}\n`);
}

export async function restart(ctx: Ctx, p: Parsed): Promise<void> {
  const roles = targetRoles(ctx, p);
  if (flag(p, 'all') && ctx.state.mode === 'core') await stopProcess(ctx, ctx.flavor.storeProcess);
  if (ctx.state.mode === 'core') await startProcess(ctx, ctx.flavor.storeProcess);
  await applyHere(ctx, { ...ctx.state.roles, ...Object.fromEntries(roles.map((r) => [r, 'running' as const])) });
  await restartRunning(ctx, roles);
  ctx.out(`Restarted: ${roles.join(' ')}\n`);
}
