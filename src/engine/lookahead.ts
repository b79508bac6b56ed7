// The probes of the tasks ahead of a host that can be known now: each task's gather run on a view that only records what it asks.
import { join } from 'node:path';
import { isTask, type Play, type Task, type TaskItem } from '../load/playbook-types.js';
import type { Module } from '../sdk.js';
import type { Transport } from '../transport/types.js';
import { privilegeFor } from '../privilege.js';
import { testExpr } from '../template/expr.js';
import { renderingAhead } from '../template/engine.js';
import { buildHostView } from './host-view.js';
import type { Probe } from './prefetch.js';
import { taskSelected } from './tags.js';
import { paramsFor, type TaskHostContext } from './task-host.js';
import type { HostState } from './types.js';
import { taskVars } from './vars.js';

/** What a recording view answers every probe and read with: gather stops there, having named what it asks. */
class Recorded extends Error {}

/** A transport that reaches nothing: the recording view must never touch the host. */
const nowhere = (host: string): Transport => ({
  host,
  exec: () => Promise.reject(new Recorded()),
  read: () => Promise.reject(new Recorded()),
  write: () => Promise.reject(new Recorded()),
  close: () => Promise.resolve(),
});

/**
 * The read-only probes the task's gather asks first on this host, as it would ask them now: none
 * when its `when` or params cannot be rendered yet (they need a result still to come). A probe
 * that depends on another's answer is not known ahead: it is asked in its place.
 */
async function probesOf(
  module: Module,
  run: TaskHostContext,
  play: Play,
  task: Task,
  host: HostState,
): Promise<Probe[]> {
  const seen: Probe[] = [];
  try {
    // Rendering has no effects but one: lookup('pipe') runs a command on the controller, so it waits for its turn.
    renderingAhead.on = true;
    let vars: Record<string, unknown>;
    let params: unknown;
    try {
      vars = taskVars(run.vars, play, task, host);
      if (!task.when.every((c) => testExpr(c, vars))) return [];
      params = paramsFor(module, task, vars);
    } finally {
      renderingAhead.on = false;
    }
    const become = privilegeFor(host.resolved.connection?.become, task, play);
    const recording = buildHostView({
      name: host.name,
      vars,
      playbookDir: run.opts.playbookDir,
      ...(task.roleDir ? { localDirs: ['templates', 'files', '.'].map((d) => join(task.roleDir!, d)) } : {}),
      ...(become ? { become } : {}),
      ...(host.resolved.connection ? { connection: host.resolved.connection } : {}),
      transport: nowhere(host.name),
      probe: (cmd, fact) => {
        if (cmd.readOnly && fact.ahead) seen.push({ cmd, shared: fact.shared });
        return Promise.reject(new Recorded());
      },
    });
    // Templates and conditions inside gather (a template file) are not rendered ahead: gather stops there.
    const view = {
      ...recording,
      render: () => {
        throw new Recorded();
      },
      test: () => {
        throw new Recorded();
      },
    };
    const gathering = module.gather(view, params).catch(() => undefined);
    // Every probe gather asks before its first answer is asked by the time pending promises settle.
    await Promise.race([gathering, new Promise<void>((r) => setImmediate(r))]);
  } catch {
    return seen;
  }
  return seen;
}

/** Tasks looked at ahead, at most: each costs a render and a recorded gather on every miss. */
const LOOK_MAX = 64;

/**
 * The probes of the tasks after the current one, up to the next opaque step: a command or shell
 * that really runs (its effects are unknown, so nothing probed before it holds after it). In check
 * mode such a task does not run, so the look goes on to the end of the list. Tasks that cannot be
 * known ahead (a loop, delegate_to, run_once, a controller-only module) are passed over; a block,
 * include or flush_handlers ends the look, and so do LOOK_MAX tasks.
 */
export async function probesAhead(
  run: TaskHostContext,
  play: Play,
  items: readonly TaskItem[],
  host: HostState,
): Promise<Probe[]> {
  const out: Probe[] = [];
  for (const item of items.slice(0, LOOK_MAX)) {
    if (!isTask(item)) break;
    if (!taskSelected(item.tags, run.opts.tags, run.opts.skipTags)) continue;
    const module = run.opts.modules.get(item.module);
    if (!module) break;
    const runsForReal = !(item.checkMode ?? run.opts.check);
    if (module.idempotent === false && runsForReal) break;
    if (module.local || item.loop !== undefined || item.delegateTo || item.runOnce) continue;
    out.push(...(await probesOf(module, run, play, item, host)));
  }
  return out;
}
