// kato node setup core [ENDPOINT]: this node becomes the cluster's core (base, primary, controller, router),
// with the config store (real redis) and the message bus listening for the other nodes.
import type { Parsed } from './args.js';
import { writeHosts } from './cluster.js';
import type { Ctx } from './ctx.js';
import { defaultConfig } from './defaults.js';
import { KatoError } from './errors.js';
import { checkHostname } from './hosts.js';
import { applyRoles, withState } from './lifecycle.js';
import { currentHostname, saveState } from './node.js';
import { startProcess } from './procs.js';
import { CORE_ROLES } from './roles.js';
import { FileStore, openRedisStore, type Store } from './store.js';
import { startingUntil, takeSetupTime } from './timing.js';

async function seedStore(ctx: Ctx, store: Store, endpoint: string): Promise<void> {
  // The micro cloud's own settings become the cluster's; missing components get defaults.
  const local = new FileStore();
  const defaults = defaultConfig(ctx.flavor, ctx.ip, endpoint);
  for (const key of new Set([...Object.keys(defaults), ...(await local.keys())])) {
    if (key === 'node' || key === 'cluster' || key === 'local') continue;
    if ((await store.get(key)) === null) await store.set(key, (await local.get(key)) ?? defaults[key]);
  }
  // Setting the core up again keeps the nodes already attached (they stay in the `node` key).
  await store.set('cluster', { mbusip: ctx.ip, endpoint, version: ctx.flavor.version });
}

export async function setupCore(ctx: Ctx, p: Parsed): Promise<void> {
  const endpoint = p.args[0] ?? `api.${currentHostname()}`;
  const bad = checkHostname(endpoint);
  if (bad) throw new KatoError(`invalid endpoint: ${bad}`);
  if (ctx.state.mode === 'attached') {
    throw new KatoError(
      `this node is attached to the core at ${ctx.state.mbusip}`,
      ctx.flavor.v3 ? 'run `kato node detach` first' : 'remove it from the cluster first',
    );
  }
  if (ctx.state.roles.load_balancer) throw new KatoError('a node set up as a load balancer cannot be the core');
  ctx.out(`Setting up the core node at ${ctx.ip} (endpoint ${endpoint})\n`);
  await startProcess(ctx, ctx.flavor.storeProcess);
  const store = await openRedisStore('127.0.0.1', ctx.flavor.storePort);
  try {
    await seedStore(ctx, store, endpoint);
    ctx.state.mode = 'core';
    ctx.state.mbusip = ctx.ip;
    ctx.state.endpoint = endpoint;
    saveState(ctx.state);
    // Setting up takes a while; the roles then start (STARTING until ready, as `kato process ready` shows).
    await takeSetupTime(ctx);
    ctx.state.startingUntil = startingUntil(ctx);
    // Only the implicit roles stay: whatever else the micro cloud had is dropped.
    await applyRoles(ctx, withState(['base', ...CORE_ROLES], 'running'), store);
  } finally {
    store.close();
  }
  await writeHosts(ctx);
  ctx.out(
    `Core node ${ctx.id.name} is set up (its roles are starting; \`kato process ready all\` says when they are up): roles base, ${CORE_ROLES.join(', ')}; config store on port ${ctx.flavor.storePort}, message bus on ${ctx.flavor.mbusPort}\n`,
  );
}
