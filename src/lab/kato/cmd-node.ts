// kato node rename | migrate: the node's name and the IP references in its (and the cluster's) config.
import { hostname } from 'node:os';
import { flag, type Parsed } from './args.js';
import { regenerateIfOurs } from './cert.js';
import { checkIp, withStore, writeHosts } from './cluster.js';
import type { Ctx } from './ctx.js';
import { MBUS_KEYS } from './defaults.js';
import { KatoError } from './errors.js';
import { checkHostname } from './hosts.js';
import { nodeEntry, restartRunning } from './lifecycle.js';
import { PATHS, saveState } from './node.js';
import type { Store } from './store.js';
import { asRoot, writeSystemFile } from './sudo.js';

export async function rename(ctx: Ctx, p: Parsed): Promise<void> {
  const host = p.args[0]!;
  const bad = checkHostname(host);
  if (bad) throw new KatoError(bad);
  await writeSystemFile(ctx, PATHS.hostname, `${host}\n`);
  if (hostname() !== host) await asRoot(ctx, 'set the hostname', ['hostname', host]);
  // On a micro cloud or the core the name is also the base of the API endpoint.
  if (ctx.state.mode !== 'attached') ctx.state.endpoint = `api.${host}`;
  saveState(ctx.state);
  await writeHosts(ctx);
  if (ctx.state.mode !== 'micro') {
    await withStore(ctx, async (s) => {
      await s.putNode(ctx.ip, nodeEntry(ctx));
      if (ctx.state.mode === 'core') {
        const cluster = ((await s.get('cluster')) ?? {}) as Record<string, unknown>;
        await s.set('cluster', { ...cluster, endpoint: ctx.state.endpoint });
      }
    });
  }
  if (!flag(p, 'skip-ssl-regeneration') && (await regenerateIfOurs(ctx, host)))
    ctx.out(`Regenerated the self-signed certificate for ${host}\n`);
  if (!flag(p, 'no-restart')) await restartRunning(ctx);
  ctx.out(`Renamed this node to ${host}${flag(p, 'no-restart') ? ' (processes not restarted)' : ''}\n`);
}

/** Replaces every string equal to (or containing, for URIs) the old IP; returns the count. */
export function replaceIp(value: unknown, from: string, to: string): [unknown, number] {
  const re = new RegExp(`(^|[^0-9.])${from.replace(/\./g, '\\.')}(?![0-9])`, 'g');
  let count = 0;
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string')
      return v.replace(re, (_m, pre: string) => {
        count++;
        return `${pre}${to}`;
      });
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object')
      return Object.fromEntries(
        Object.entries(v).map(([k, x]) => [
          k.replace(re, (_m, pre: string) => {
            count++;
            return `${pre}${to}`;
          }),
          walk(x),
        ]),
      );
    return v;
  };
  return [walk(value), count];
}

async function migrateStore(ctx: Ctx, s: Store, from: string, to: string): Promise<number> {
  // Before 3.4.2 the message-bus keys had to be fixed by hand after a migrate (bug 105207).
  const manual = ctx.flavor.v3 && !ctx.flavor.migrateFixesMbusKeys;
  let total = 0;
  for (const key of await s.keys()) {
    const before = await s.get(key);
    const skip = manual ? MBUS_KEYS.filter(([c]) => c === key).map(([, k]) => k) : [];
    let after: unknown;
    let n: number;
    if (skip.length && before && typeof before === 'object' && !Array.isArray(before)) {
      const rest = Object.fromEntries(Object.entries(before).filter(([k]) => !skip.includes(k)));
      [after, n] = replaceIp(rest, from, to);
      after = { ...before, ...(after as Record<string, unknown>) };
    } else {
      [after, n] = replaceIp(before, from, to);
    }
    if (n > 0) {
      await s.set(key, after);
      total += n;
    }
  }
  return total;
}

export async function migrate(ctx: Ctx, p: Parsed): Promise<void> {
  const from = checkIp(p.args[0]!, 'old node IP');
  const to = checkIp(p.args[1]!, 'new node IP');
  if (from === to) throw new KatoError('the old and new IPs are the same');
  await migrateIps(ctx, from, to, !flag(p, 'no-restart'));
}

export async function migrateIps(ctx: Ctx, from: string, to: string, restart: boolean): Promise<void> {
  let changed = 0;
  const before = JSON.stringify(ctx.state);
  const [state, n] = replaceIp(ctx.state, from, to);
  Object.assign(ctx.state, state);
  changed += n;
  saveState(ctx.state);
  if (ctx.state.mode !== 'micro') changed += await withStore(ctx, (s) => migrateStore(ctx, s, from, to));
  await writeHosts(ctx, [from]);
  if (!changed && before === JSON.stringify(ctx.state))
    ctx.err(`Note: nothing in this node's config referred to ${from}\n`);
  if (restart) await restartRunning(ctx);
  ctx.out(`Migrated the configuration from ${from} to ${to} (${changed} references)\n`);
}
