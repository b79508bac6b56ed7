// kato version | info | node list | role list: read-only views of the node and the cluster.
import { value, type Parsed } from './args.js';
import { assignedRoles, roleContext, withStore } from './cluster.js';
import type { Ctx } from './ctx.js';
import { KatoError } from './errors.js';
import { currentHostname } from './node.js';
import { formatOf, render } from './output.js';
import { availableRoles } from './role-plan.js';
import { sortRoles } from './roles.js';
import type { NodeEntry } from './store.js';

export async function version(ctx: Ctx): Promise<void> {
  ctx.out(`${ctx.flavor.version}\n`);
}

/** Nodes and their roles: the cluster's from its store, or just this node on a micro cloud. */
export async function clusterNodes(ctx: Ctx): Promise<Record<string, NodeEntry>> {
  if (ctx.state.mode === 'micro')
    return { [ctx.ip]: { name: ctx.id.name, hostname: currentHostname(), roles: ctx.state.roles } };
  return withStore(ctx, (s) => s.nodes());
}

export async function info(ctx: Ctx, p: Parsed): Promise<void> {
  const other = value(p, 'node');
  let data: Record<string, unknown>;
  if (other && other !== ctx.ip) {
    const entry = (await clusterNodes(ctx))[other];
    if (!entry) throw new KatoError(`node ${other} is not part of this cluster`);
    data = {
      version: ctx.flavor.version,
      name: entry.name,
      hostname: entry.hostname,
      ip: other,
      mbusip: ctx.state.mbusip,
      endpoint: ctx.state.endpoint,
      assigned: sortRoles(Object.keys(entry.roles)),
    };
  } else {
    const assigned = assignedRoles(ctx);
    const available = availableRoles(roleContext(ctx));
    data = {
      version: ctx.flavor.version,
      name: ctx.id.name,
      hostname: currentHostname(),
      ip: ctx.ip,
      mbusip: ctx.state.mbusip,
      endpoint: ctx.state.endpoint,
      cluster: ctx.state.mode,
      assigned,
      available,
      roles: { assigned, available },
    };
  }
  const f = formatOf(p);
  if (f !== 'text') return ctx.out(render(data, f));
  const list = (v: unknown) => (Array.isArray(v) ? v.join(' ') || '(none)' : '');
  const mode = {
    core: 'core node',
    attached: `attached to ${ctx.state.mbusip}`,
    micro: 'micro cloud (not in a cluster)',
  }[ctx.state.mode];
  ctx.out(
    [
      `Stackato ${ctx.flavor.version}`,
      `  hostname:        ${String(data.hostname)}`,
      `  node ip:         ${String(data.ip)}`,
      `  mbusip:          ${String(data.mbusip)}`,
      `  endpoint:        ${String(data.endpoint)}`,
      ...(other && other !== ctx.ip ? [] : [`  cluster:         ${mode}`]),
      `  assigned roles:  ${list(data.assigned)}`,
      ...(data.available ? [`  available roles: ${list(data.available)}`] : []),
      '',
    ].join('\n'),
  );
}

/** `kato node list`: one line per node, its IP first (scripts do `cut -d ' ' -f1`). */
export async function nodeList(ctx: Ctx, p: Parsed): Promise<void> {
  const nodes = await clusterNodes(ctx);
  const ips = Object.keys(nodes).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  const f = formatOf(p);
  if (f !== 'text') {
    return ctx.out(
      render(
        Object.fromEntries(
          ips.map((ip) => [
            ip,
            { name: nodes[ip]!.name, hostname: nodes[ip]!.hostname, roles: sortRoles(Object.keys(nodes[ip]!.roles)) },
          ]),
        ),
        f,
      ),
    );
  }
  ctx.out(ips.map((ip) => `${ip} ${sortRoles(Object.keys(nodes[ip]!.roles)).join(' ')}\n`).join(''));
}

/** `kato role list`: how many nodes have each role. */
export async function roleList(ctx: Ctx, p: Parsed): Promise<void> {
  const counts: Record<string, number> = {};
  for (const n of Object.values(await clusterNodes(ctx)))
    for (const r of Object.keys(n.roles)) counts[r] = (counts[r] ?? 0) + 1;
  const f = formatOf(p);
  if (f !== 'text') return ctx.out(render(counts, f));
  ctx.out(
    sortRoles(Object.keys(counts))
      .map((r) => `${r} ${counts[r]}\n`)
      .join(''),
  );
}
