// kato node setup load_balancer [IP...] [--force]: nginx on this node, round-robin over the routers, SSL here.
import { mkdirSync } from 'node:fs';
import { flag, type Parsed } from './args.js';
import { ensureCert } from './cert.js';
import { assignedRoles, checkIp, withStore } from './cluster.js';
import { applyHere } from './cmd-role.js';
import type { Ctx } from './ctx.js';
import { KatoError } from './errors.js';
import { nginxConfig } from './lb.js';
import { currentHostname, PATHS, saveState } from './node.js';
import { isRunning, NGINX_ERROR_LOG, NGINX_PID, reloadProcess } from './procs.js';
import { asRoot, writeSystemFile } from './sudo.js';

const byIp = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true });

async function clusterRouters(ctx: Ctx): Promise<string[]> {
  if (ctx.state.mode === 'micro') {
    throw new KatoError(
      'this node is not attached to a cluster, so there are no routers to find',
      'attach it to the core first, or name the routers: kato node setup load_balancer IP...',
    );
  }
  const nodes = await withStore(ctx, (s) => s.nodes());
  return Object.keys(nodes)
    .filter((ip) => nodes[ip]!.roles.router && !nodes[ip]!.roles.load_balancer)
    .sort(byIp);
}

async function yes(ctx: Ctx, question: string, dflt: boolean): Promise<boolean> {
  for (let i = 0; i < 3; i++) {
    const a = (await ctx.prompt.ask(question))?.trim().toLowerCase();
    if (a === undefined || a === '') return dflt;
    if (a === 'y' || a === 'yes') return true;
    if (a === 'n' || a === 'no') return false;
  }
  return dflt;
}

async function choosePool(ctx: Ctx, p: Parsed): Promise<string[]> {
  if (p.args.length) return p.args.map((a) => checkIp(a, 'router IP'));
  const routers = await clusterRouters(ctx);
  if (!ctx.flavor.v3) {
    // 2.x attached the LB with -e router, so its own IP is among the routers; the docs recommend removing it.
    if (
      routers.includes(ctx.ip) &&
      (await yes(ctx, `Remove this node's IP (${ctx.ip}) from the pool of routers? [Y/n] `, true))
    ) {
      return routers.filter((ip) => ip !== ctx.ip);
    }
    return routers;
  }
  if (
    !flag(p, 'force') &&
    !(await yes(ctx, `Set up the load balancer for the routers ${routers.join(', ') || '(none)'}? [y/N] `, false))
  ) {
    throw new KatoError(
      'load balancer setup cancelled',
      'use --force to take every router of the cluster without asking',
    );
  }
  return routers;
}

export async function setupLoadBalancer(ctx: Ctx, p: Parsed): Promise<void> {
  if (ctx.state.mode === 'core')
    throw new KatoError('the core node cannot be a load balancer', 'set it up on a node attached to the core');
  const others = assignedRoles(ctx).filter((r) => r !== 'base' && r !== 'load_balancer');
  if (ctx.flavor.v3 && others.length && !flag(p, 'force')) {
    throw new KatoError(
      `a node set up as a load balancer cannot have other roles (this node has ${others.join(', ')})`,
      'remove them with `kato role remove`, or use --force',
    );
  }
  const pool = [...new Set(await choosePool(ctx, p))].sort(byIp);
  if (!pool.length)
    throw new KatoError(
      'there are no routers to balance',
      'attach routers first (kato node attach -e router CORE_IP), or name them',
    );
  const cert = await ensureCert(ctx, currentHostname());
  const tempDir = '/var/stackato/lab/nginx';
  for (const d of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(`${tempDir}/${d}`, { recursive: true });
  mkdirSync(PATHS.logs, { recursive: true });
  await writeSystemFile(
    ctx,
    PATHS.nginxConf,
    nginxConfig({
      routers: pool,
      cert: PATHS.cert,
      key: PATHS.key,
      pidFile: NGINX_PID,
      logDir: PATHS.logs,
      tempDir,
    }),
  );
  try {
    await asRoot(ctx, 'test the nginx configuration', [
      'nginx',
      '-t',
      '-q',
      '-e',
      NGINX_ERROR_LOG,
      '-c',
      PATHS.nginxConf,
    ]);
  } catch (e) {
    throw new KatoError(`the nginx configuration does not load: ${(e as Error).message}`);
  }
  const wasRunning = isRunning('nginx');
  ctx.state.lbPool = pool;
  saveState(ctx.state);
  if (others.length) ctx.out(`Removing roles ${others.join(', ')}: a load balancer has no other roles\n`);
  await applyHere(ctx, { base: 'running', load_balancer: 'running' });
  if (wasRunning) await reloadProcess(ctx, 'nginx');
  ctx.out(
    `Load balancer ready: round-robin over ${pool.join(', ')}; SSL terminated here with the ${cert === 'installed' ? 'installed' : 'self-signed'} certificate ${PATHS.cert}\n`,
  );
}
