// kato node attach | reattach | detach | remove: joining and leaving the cluster.
import { flag, value, type Parsed } from './args.js';
import { checkIp, envSeconds, requireCore, withStore, writeHosts } from './cluster.js';
import type { Ctx } from './ctx.js';
import { KatoError } from './errors.js';
import { applyRoles, withState } from './lifecycle.js';
import { currentHostname, saveState, type RoleState } from './node.js';
import { portOpen } from './procs.js';
import { expandRoleNames, planRoleAdd } from './role-plan.js';
import { clusterInfo, FileStore, openRedisStore, type Store } from './store.js';
import { isStarting, startingUntil, takeSetupTime } from './timing.js';

/** Waits (bounded) until the core's config store and message bus answer, then opens the store. */
async function reachCore(ctx: Ctx, core: string): Promise<Store> {
  const seconds = envSeconds(ctx, 'KATO_ATTACH_TIMEOUT', 10);
  const end = Date.now() + seconds * 1000;
  const ports = [ctx.flavor.storePort, ctx.flavor.mbusPort];
  let open: boolean[] = [];
  do {
    open = await Promise.all(ports.map((port) => portOpen(core, port, 1000)));
    if (open.every(Boolean)) return openRedisStore(core, ctx.flavor.storePort);
    await new Promise((r) => setTimeout(r, 250));
  } while (Date.now() < end);
  const what = ports.map(
    (port, i) =>
      `${port === ctx.flavor.mbusPort ? 'message bus' : `config store (${ctx.flavor.storeProcess})`} on port ${port}: ${open[i] ? 'ok' : 'no answer'}`,
  );
  throw new KatoError(
    `cannot attach: the core node at ${core} did not answer within ${seconds}s (${what.join('; ')})`,
    'check the core IP, and that `kato node setup core` ran there',
  );
}

async function join(ctx: Ctx, core: string, roles: Record<string, RoleState>, force: boolean): Promise<void> {
  if (core === ctx.ip) throw new KatoError('a node cannot attach to itself', 'on the core, use `kato node setup core`');
  if (ctx.state.mode === 'core') throw new KatoError('this node is the core node; it cannot attach to another core');
  const store = await reachCore(ctx, core);
  try {
    const cluster = await clusterInfo(store);
    if (!cluster)
      throw new KatoError(`the node at ${core} is not a core node (its config store has no cluster settings)`);
    if (ctx.flavor.v3 && cluster.version !== ctx.flavor.version && !force) {
      throw new KatoError(
        `version mismatch: this node runs ${ctx.flavor.version}, the core runs ${cluster.version}`,
        'use -f/--force to attach anyway',
      );
    }
    // A core still starting its roles is not ready for nodes (kato.md section 6: "ready" is more than port
    // 4222 answering; attaching while `node setup core` finishes races it). The stricter answer: refuse.
    const coreEntry = (await store.nodes())[core];
    if (isStarting(coreEntry?.startingUntil))
      throw new KatoError(
        `the core at ${core} is not ready: its roles are still starting after \`kato node setup core\``,
        'wait until `kato process ready all` on the core prints READY, then attach',
      );
    const oldCore = ctx.state.mode === 'attached' && ctx.state.mbusip !== core ? [ctx.state.mbusip] : [];
    // A node attached to one core may attach to another only within its own cluster, i.e. the core moved
    // (reference/kato.md 2.7: after a core IP change, `node attach <new core IP>` on every other node, or
    // `node reattach` from 3.6). A core whose store does not list this node is another cluster: refused, as
    // DESIGN.md 7 asks ("refusals such as attaching a node of another cluster"); the reference is silent on
    // the message, so the stricter behaviour is chosen.
    if (oldCore.length && !Object.hasOwn(await store.nodes(), ctx.ip))
      throw new KatoError(
        `this node is attached to the core at ${ctx.state.mbusip}; the core at ${core} is another cluster (it does not list ${ctx.ip})`,
        ctx.flavor.v3
          ? 'run `kato node detach` first'
          : 'remove it from its cluster first (kato node remove on its core)',
      );
    // The cluster's config replaces this node's own from now on (the node reads the core's store).
    ctx.state.mode = 'attached';
    ctx.state.mbusip = core;
    ctx.state.endpoint = cluster.endpoint;
    saveState(ctx.state);
    await store.markDetach(ctx.ip, false);
    // Attaching takes a while; the node's roles then start (STARTING until ready).
    await takeSetupTime(ctx);
    ctx.state.startingUntil = startingUntil(ctx);
    await applyRoles(ctx, roles, store);
    await writeHosts(ctx, oldCore);
  } finally {
    store.close();
  }
}

export async function attach(ctx: Ctx, p: Parsed): Promise<void> {
  const core = checkIp(p.args[0]!, 'core IP');
  const enable = value(p, 'enable');
  const names = enable === undefined ? [] : enable.split(',');
  if (names.some((n) => n.trim() === '' || n !== n.trim()))
    throw new KatoError(`-e takes a comma-separated list of roles without spaces, got "${enable}"`);
  const roles = names.length ? expandRoleNames(names, ctx.flavor) : [];
  const change = roles.length
    ? planRoleAdd({ flavor: ctx.flavor, assigned: ['base'], isCore: false, inCluster: true }, { roles })
    : { add: [], warnings: [] };
  for (const w of change.warnings) ctx.err(`Warning: ${w}\n`);
  ctx.out(`Attaching ${ctx.ip} to the core at ${core}${roles.length ? ` with roles ${roles.join(', ')}` : ''}\n`);
  await join(
    ctx,
    core,
    withState(['base', ...change.add], flag(p, 'no-start') ? 'stopped' : 'running'),
    flag(p, 'force'),
  );
  ctx.out(`Attached to ${core}\n`);
}

export async function reattach(ctx: Ctx, p: Parsed): Promise<void> {
  const core = checkIp(p.args[0]!, 'core IP');
  if (ctx.state.mode !== 'attached')
    throw new KatoError('this node is not attached to a core', 'use `kato node attach`');
  await join(ctx, core, { ...ctx.state.roles }, false);
  ctx.out(`Reattached to ${core}\n`);
}

export async function detach(ctx: Ctx, p: Parsed): Promise<void> {
  if (ctx.state.mode === 'micro') throw new KatoError('this node is not attached to a cluster');
  if (ctx.state.mode === 'core') throw new KatoError('the core node cannot be detached');
  await leave(ctx, flag(p, 'start'));
  ctx.out('Detached from the cluster\n');
}

/** Back to a micro cloud: the cluster's config is kept as the node's own; processes stop unless `start`. */
export async function leave(ctx: Ctx, start: boolean): Promise<void> {
  const oldCore = ctx.state.mbusip;
  try {
    await withStore(ctx, async (s) => {
      const local = new FileStore();
      for (const key of await s.keys()) if (key !== 'node' && key !== 'cluster') await local.set(key, await s.get(key));
      await s.putNode(ctx.ip, null);
      await s.markDetach(ctx.ip, false);
    });
  } catch (e) {
    ctx.err(`Warning: the core's config store could not be updated: ${(e as Error).message}\n`);
  }
  ctx.state.mode = 'micro';
  ctx.state.mbusip = '127.0.0.1';
  ctx.state.endpoint = `api.${currentHostname()}`;
  await applyRoles(ctx, withState(Object.keys(ctx.state.roles), start ? 'running' : 'stopped'), null);
  await writeHosts(ctx, [oldCore]);
}

export async function remove(ctx: Ctx, p: Parsed): Promise<void> {
  requireCore(ctx, 'kato node remove');
  if (!ctx.flavor.multiRemove && p.args.length > 1)
    throw new KatoError(`kato ${ctx.flavor.version} removes one node at a time`);
  const ips = p.args.map((a) => checkIp(a, 'node IP'));
  await withStore(ctx, async (s) => {
    const nodes = await s.nodes();
    for (const ip of ips) {
      if (ip === ctx.ip) throw new KatoError('the core node cannot remove itself');
      if (!nodes[ip])
        throw new KatoError(`node ${ip} is not part of this cluster`, `nodes: ${Object.keys(nodes).join(', ')}`);
      // reference/kato.md 2.5 and 4: a DEA is retired first (its apps start on other DEAs), then removed. The
      // reference gives the order, not kato's answer when it is skipped: the stricter one is chosen, a refusal,
      // except for a node already destroyed (--skip-detach), which cannot be retired.
      if (ctx.flavor.v3 && nodes[ip].roles.dea && !nodes[ip].retired && !flag(p, 'skip-detach'))
        throw new KatoError(
          `node ${ip} is a DEA that still runs apps`,
          `retire it first: kato node retire -n ${ip} (its apps move to other DEAs), then remove it`,
        );
    }
    for (const ip of ips) {
      await s.putNode(ip, null);
      if (!flag(p, 'skip-detach')) await s.markDetach(ip, true);
      ctx.out(`Removed ${ip} (${nodes[ip]!.name}) from the cluster\n`);
    }
  });
}

/**
 * `kato node retire [-n NODE]` (3.0+, reference/kato.md 2.5): the DEA's apps start on other DEAs, then its
 * DEA shuts down; run on the core for another node with -n. The lab has no apps to move: the DEA role stops
 * and the cluster's entry for the node is marked retired.
 */
export async function retire(ctx: Ctx, p: Parsed): Promise<void> {
  if (ctx.state.mode === 'micro') throw new KatoError('this node is not part of a cluster');
  const ip = value(p, 'node') ?? ctx.ip;
  checkIp(ip, 'node IP');
  if (ip === ctx.ip) {
    if (!ctx.state.roles.dea) throw new KatoError('this node is not a DEA', 'only DEA nodes are retired');
    await withStore(ctx, (s) => applyRoles(ctx, { ...ctx.state.roles, dea: 'stopped' }, s));
  }
  await withStore(ctx, async (s) => {
    const entry = (await s.nodes())[ip];
    if (!entry) throw new KatoError(`node ${ip} is not part of this cluster`);
    if (!entry.roles.dea) throw new KatoError(`node ${ip} is not a DEA`, 'only DEA nodes are retired');
    await s.putNode(ip, { ...entry, roles: { ...entry.roles, dea: 'stopped' }, retired: true });
  });
  ctx.out(`Retired the DEA on ${ip}: its apps were started on other DEAs\n`);
}

/** A node removed from the cluster (without --skip-detach) detaches itself when kato next runs on it. */
export async function detachIfRemoved(ctx: Ctx): Promise<void> {
  if (ctx.state.mode !== 'attached') return;
  let removed = false;
  try {
    const s = await openRedisStore(ctx.state.mbusip, ctx.flavor.storePort, 1000);
    try {
      removed = await s.isMarkedDetach(ctx.ip);
    } finally {
      s.close();
    }
  } catch {
    return;
  }
  if (removed) {
    ctx.err(`Note: this node was removed from the cluster at ${ctx.state.mbusip}; detaching\n`);
    await leave(ctx, false);
  }
}
