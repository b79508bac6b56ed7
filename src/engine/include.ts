// include_tasks at run time: per host (and loop item) which file and vars, then its tasks for those hosts.
import { resolve } from 'node:path';
import type { Include, TaskItem } from '../load/playbook-types.js';
import type { HostStatus, TaskRef } from '../report/events.js';
import type { HostState } from './types.js';
import type { BatchRun, Scope } from './play.js';
import { formatDiagnostic, formatSpan } from '../errors.js';
import { loadIncludedFile } from '../load/playbook-items.js';
import { testExpr } from '../template/expr.js';
import { renderDeep, taskVars } from './vars.js';

interface Instance {
  path: string;
  /** The include's vars rendered for this host and item, and the item: data for the included tasks. */
  data: Record<string, unknown>;
}

export type IncludeCount = (host: HostState, o: { status: HostStatus; result: Record<string, unknown> }) => void;

type RunTasks = (b: BatchRun, items: readonly TaskItem[], hosts: HostState[], scope: Scope) => Promise<void>;

/** The include's instances on one host: one per loop item whose `when` holds (one without a loop). */
function instancesOn(b: BatchRun, inc: Include, host: HostState): Instance[] {
  const vars = (item?: Record<string, unknown>) => taskVars(b.run.vars, b.play, inc, host, item);
  const base = vars();
  const items = inc.loop === undefined ? [undefined] : renderDeep(inc.loop, base);
  if (!Array.isArray(items)) throw new Error(`loop must be a list, got ${typeof items} (at ${formatSpan(inc.at)})`);
  const out: Instance[] = [];
  for (const item of items) {
    const loop = inc.loop === undefined ? undefined : { [inc.loopVar]: item };
    const v = loop ? vars(loop) : base;
    if (!inc.when.every((c) => testExpr(c, v))) continue;
    const file = String(renderDeep(inc.file, v));
    out.push({ path: resolve(inc.dir, file), data: { ...(renderDeep(inc.vars, v) as object), ...loop } });
  }
  return out;
}

/** The tasks of an included file: read at load time when its name was known, else now (once per run of the include). */
function tasksOf(
  inc: Include,
  path: string,
  b: BatchRun,
  cache: Map<string, TaskItem[] | string>,
): TaskItem[] | string {
  if (inc.tasks && path === resolve(inc.dir, inc.file)) return inc.tasks;
  let got = cache.get(path);
  if (!got) {
    const r = loadIncludedFile(path, b.run.opts.modules, inc.parent);
    got = r.items ?? r.diagnostics.map((d) => formatDiagnostic(d)).join('\n');
    cache.set(path, got);
  }
  return got;
}

export async function runInclude(
  b: BatchRun,
  inc: Include,
  hosts: HostState[],
  scope: Scope,
  count: IncludeCount,
  runTasks: RunTasks,
): Promise<void> {
  const { run } = b;
  if (!b.indexOf.has(inc)) b.indexOf.set(inc, b.indexOf.size);
  const ref: TaskRef = {
    play: b.playIndex,
    index: b.indexOf.get(inc)!,
    name: inc.name,
    module: inc.role ? 'include_role' : 'include_tasks',
  };
  run.opts.report({ type: 'task:start', task: ref, hosts: hosts.map((h) => h.name) });
  const end = (host: HostState, status: HostStatus, message: string, result: Record<string, unknown>) => {
    count(host, { status, result });
    run.opts.report({
      type: 'host:end',
      task: ref,
      host: host.name,
      status,
      ms: 0,
      message,
      ...(status === 'failed' ? { error: { code: 'E_INCLUDE', message } } : {}),
    });
  };
  const planned = new Map<HostState, Instance[]>();
  for (const host of hosts) {
    try {
      const list = instancesOn(b, inc, host);
      planned.set(host, list);
      if (list.length === 0) end(host, 'skipped', 'skipped', { skipped: true, changed: false });
      // include_tasks shows and counts each inclusion; include_role shows nothing (ansible-core 2.14).
      if (!inc.role) for (const i of list) end(host, 'ok', `included: ${i.path}`, { changed: false, include: i.path });
    } catch (e) {
      const message = (e as Error).message;
      end(host, 'failed', message, { failed: true, changed: false, msg: message });
    }
  }
  run.opts.report({ type: 'task:end', task: ref });
  // Item k of every host runs together, grouped by file, as Ansible groups identical includes.
  const cache = new Map<string, TaskItem[] | string>();
  const rounds = Math.max(0, ...[...planned.values()].map((l) => l.length));
  for (let k = 0; k < rounds; k++) {
    const byPath = new Map<string, HostState[]>();
    for (const [host, list] of planned) {
      const i = list[k];
      if (i && host.state === 'active') (byPath.get(i.path) ?? byPath.set(i.path, []).get(i.path)!).push(host);
    }
    for (const [path, group] of byPath) {
      const tasks = tasksOf(inc, path, b, cache);
      if (typeof tasks === 'string') {
        for (const h of group) end(h, 'failed', tasks, { failed: true, changed: false, msg: tasks });
        continue;
      }
      const saved = new Map(group.map((h) => [h, h.scope] as const));
      for (const h of group) h.scope = { ...h.scope, ...planned.get(h)![k]!.data };
      try {
        await runTasks(b, tasks, group, scope);
      } finally {
        for (const h of group) h.scope = saved.get(h);
      }
    }
  }
}
