// kato status | process list | process ready: roles and process states, on this node and across the cluster.
import { flag, value, type Parsed } from './args.js';
import { clusterNodes } from './cmd-info.js';
import type { Ctx } from './ctx.js';
import { KatoError } from './errors.js';
import { processState, type ProcState } from './lifecycle.js';
import type { RoleState } from './node.js';
import { formatOf, render } from './output.js';
import { launchOf, portOpen } from './procs.js';
import { knownRoles, roleProcesses, sortRoles } from './roles.js';
import { isStarting } from './timing.js';

type Procs = Record<string, ProcState>;
interface RoleStatus {
  status: 'running' | 'starting' | 'stopped' | 'fatal';
  processes: Procs;
}
interface NodeStatus {
  name: string;
  hostname: string;
  core: boolean;
  roles: Record<string, RoleStatus>;
}

/** A remote node's real processes are probed on their ports (in parallel, as kato 3.4.2+ queries nodes). */
async function remoteState(ctx: Ctx, ip: string, proc: string, role: RoleState, until?: number): Promise<ProcState> {
  const l = launchOf(proc, ctx.flavor, ctx.id);
  if (role !== 'running' && proc !== ctx.flavor.storeProcess) return 'STOPPED';
  const up = !l || (await portOpen(ip, l.port, 1000));
  if (!up) return 'FATAL';
  return proc !== ctx.flavor.storeProcess && isStarting(until) ? 'STARTING' : 'RUNNING';
}

const summary = (procs: Procs): RoleStatus['status'] => {
  const s = Object.values(procs);
  if (s.includes('FATAL')) return 'fatal';
  if (s.includes('STARTING')) return 'starting';
  return s.length && s.every((x) => x === 'STOPPED') ? 'stopped' : 'running';
};

export async function gatherStatus(ctx: Ctx): Promise<Record<string, NodeStatus>> {
  const nodes = await clusterNodes(ctx);
  const table = roleProcesses(ctx.flavor);
  const out: Record<string, NodeStatus> = {};
  await Promise.all(
    Object.entries(nodes).map(async ([ip, n]) => {
      const local = ip === ctx.ip;
      const roles: Record<string, RoleStatus> = {};
      for (const role of sortRoles(Object.keys(n.roles))) {
        const state = (local ? ctx.state.roles[role] : n.roles[role]) ?? 'stopped';
        const procs: Procs = {};
        for (const p of table[role] ?? []) {
          if (p === ctx.flavor.storeProcess && ip !== ctx.state.mbusip && ctx.state.mode !== 'micro') continue;
          procs[p] = local ? processState(ctx, p, state) : await remoteState(ctx, ip, p, state, n.startingUntil);
        }
        roles[role] = { status: summary(procs), processes: procs };
      }
      out[ip] = {
        name: n.name,
        hostname: n.hostname,
        core: ctx.state.mode !== 'micro' && ip === ctx.state.mbusip,
        roles,
      };
    }),
  );
  return out;
}

const byIp = (ips: Iterable<string>): string[] => [...ips].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));

export async function status(ctx: Ctx, p: Parsed): Promise<void> {
  const nodes = await gatherStatus(ctx);
  const configured = new Set(Object.values(nodes).flatMap((n) => Object.keys(n.roles)));
  const unconfigured = flag(p, 'all') ? knownRoles(ctx.flavor).filter((r) => !configured.has(r)) : undefined;
  const f = formatOf(p);
  if (f !== 'text') return ctx.out(render({ nodes, ...(unconfigured ? { unconfigured } : {}) }, f));
  const lines: string[] = [];
  for (const ip of byIp(Object.keys(nodes))) {
    const n = nodes[ip]!;
    lines.push(`${ip} ${n.name} (${n.hostname})${n.core ? ' [core]' : ''}`);
    const width = Math.max(10, ...Object.keys(n.roles).map((r) => r.length));
    for (const [role, r] of Object.entries(n.roles)) {
      const procs = Object.entries(r.processes).map(([name, s]) =>
        s === 'RUNNING' || s === 'STOPPED' ? name : `${name}(${s})`,
      );
      lines.push(`  ${role.padEnd(width)}  ${r.status.padEnd(7)}  ${procs.join(' ')}`.trimEnd());
    }
  }
  if (unconfigured) lines.push(`not configured on any node: ${unconfigured.join(' ') || '(none)'}`);
  ctx.out(`${lines.join('\n')}\n`);
}

export async function processList(ctx: Ctx, p: Parsed): Promise<void> {
  const cluster = flag(p, 'cluster') || flag(p, 'all');
  const only = new Set(p.args);
  const nodes = await gatherStatus(ctx);
  const wanted = cluster ? byIp(Object.keys(nodes)) : [ctx.ip];
  const data: Record<string, Procs> = {};
  for (const ip of wanted) {
    const procs: Procs = {};
    for (const r of Object.values(nodes[ip]?.roles ?? {}))
      for (const [name, s] of Object.entries(r.processes)) if (!only.size || only.has(name)) procs[name] = s;
    data[ip] = procs;
  }
  const f = formatOf(p);
  if (f !== 'text') return ctx.out(render(cluster ? data : data[ctx.ip], f));
  for (const ip of wanted) {
    for (const [name, s] of Object.entries(data[ip] ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
      ctx.out(`${cluster ? `${ip} ` : ''}${name.padEnd(28)} ${s}\n`);
    }
  }
}

export async function processReady(ctx: Ctx, p: Parsed): Promise<void> {
  const block = value(p, 'block');
  const seconds = block === undefined ? null : Number(block);
  if (seconds !== null && (!Number.isFinite(seconds) || seconds < 0))
    throw new KatoError(`--block needs a number of seconds, got "${block}"`);
  const wanted = p.args.includes('all') ? null : new Set(p.args);
  const end = seconds ? Date.now() + seconds * 1000 : seconds === 0 ? Infinity : 0;
  for (;;) {
    const nodes = await gatherStatus(ctx);
    const procs = Object.values(nodes[ctx.ip]?.roles ?? {})
      .flatMap((r) => Object.entries(r.processes))
      .filter(([n]) => !wanted || wanted.has(n));
    const missing = wanted ? [...wanted].filter((w) => !procs.some(([n]) => n === w)) : [];
    if (missing.length) throw new KatoError(`no such process on this node: ${missing.join(', ')}`);
    const notReady = procs.filter(([, s]) => s !== 'RUNNING').map(([n]) => n);
    if (!notReady.length) return ctx.out('READY\n');
    if (Date.now() >= end) throw new KatoError(`not ready: ${notReady.join(', ')}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}
