// Running one play: phases, serial batches, task items in lock-step across a batch (or per host: free.ts), handlers, fail limits.
import pLimit, { type LimitFunction } from 'p-limit';
import { flatTasks, isTask, type Block, type Play, type Task, type TaskItem } from '../load/playbook-types.js';
import type { TaskRef } from '../report/events.js';
import type { HostState } from './types.js';
import type { Recap } from './recap.js';
import { runTaskOnHost, type TaskHostContext } from './task-host.js';
import { splitBatches, groupByPhase } from './batches.js';
import { taskSelected } from './tags.js';
import { runInclude } from './include.js';
import { factsTask, keepFacts } from './facts.js';
import { lookAhead } from './lookahead.js';
import { runFree, warnIgnored } from './free.js';
import { type AllDown, watchBatch } from './all-down.js';

export interface PlayRun extends TaskHostContext {
  recap: Recap;
  /** Set when the run must stop: a fail limit, any_errors_fatal, an interrupt, or (runPlays) a batch all down. */
  stop?: string;
  /** Set when every host of a batch went down in it: as ansible-playbook, the run ends after it (runPlays). */
  allDown?: AllDown;
}

export interface PlayHosts {
  /** Hosts of the play in run order, grouped by phase ('' = a single unphased group). */
  phases: { phase: string; hosts: HostState[] }[];
}

/** One batch of one play as it runs through the play's task items. */
export interface BatchRun {
  run: PlayRun;
  play: Play;
  playIndex: number;
  batch: HostState[];
  /** Each task's index in the play (tasks read by a dynamic include are numbered after the play's own). */
  indexOf: Map<object, number>;
  /** strategy free: the batch's forks, shared by every host's tasks (each host walks alone; src/engine/free.ts). */
  slots?: LimitFunction;
}

/** Inside the block part of a block with a rescue (here or around it), a failure is rescued, not final. */
export interface Scope {
  rescuable: boolean;
}

export const active = (hosts: HostState[]) => hosts.filter((h) => h.state === 'active');

export const taskRef = (b: BatchRun, task: Task): TaskRef => {
  if (!b.indexOf.has(task)) b.indexOf.set(task, b.indexOf.size);
  return { play: b.playIndex, index: b.indexOf.get(task)!, name: task.name, module: task.module };
};

/** Runs one task across hosts in parallel (bounded by forks); records outcomes. */
async function runTask(
  b: BatchRun,
  task: Task,
  ref: TaskRef,
  hosts: HostState[],
  scope: Scope = { rescuable: false },
  following: readonly TaskItem[] = [],
): Promise<void> {
  const { run, play } = b;
  // The probes of the tasks after this one ride along with this one's round trips (src/engine/prefetch.ts);
  // so do their commands when no other host runs in lock-step with this one, nor can stop it (fail
  // limits do not act under free, as in Ansible).
  const alone =
    hosts.length === 1 &&
    (b.batch.length === 1 ||
      play.strategy !== undefined ||
      (!play.anyErrorsFatal && play.maxFailPercentage === undefined))
      ? { withOthers: play.strategy !== undefined && b.batch.length > 1 }
      : undefined;
  const ctx =
    following.length > 0 ? { ...run, ahead: (h: HostState) => lookAhead(run, play, task, following, h, alone) } : run;
  const limit = b.slots ?? pLimit(Math.max(1, run.opts.forks));
  // run_once: the first host runs it; the others get its registered result and facts, uncounted (as Ansible).
  // Under free every host runs it, with Ansible's warning.
  const once = task.runOnce && !play.strategy;
  if (task.runOnce && play.strategy) warnIgnored(b, 'run_once');
  const runners = once ? hosts.slice(0, 1) : hosts;
  run.opts.report({ type: 'task:start', task: ref, hosts: runners.map((h) => h.name) });
  await Promise.all(
    runners.map((host) =>
      limit(async () => {
        if (run.opts.signal?.aborted) return;
        const started = Date.now();
        const out = await runTaskOnHost(play, task, ref, ctx, host);
        const rescued = out.status === 'failed' && !out.ignored && scope.rescuable;
        if (task.module === 'setup') keepFacts(run, host, out.result);
        if (rescued) run.recap.rescued(host.name);
        else run.recap.count(host.name, out.status, out.ignored, out.result.changed === true);
        if (out.status === 'unreachable') host.state = 'unreachable';
        else if (out.status === 'failed' && !out.ignored) host.state = 'failed';
        if (rescued)
          host.failure = { task: { name: task.name, action: task.module, args: task.params }, result: out.result };
        if (out.status === 'changed') for (const n of task.notify) host.notified.add(n);
        if (once) {
          shareResult(task, host, hosts, out.result);
          if (host.state === 'failed') failEveryHost(b, rescued ? hosts : []);
          else if (host.state === 'unreachable' && !task.ignoreErrors) runOnceUnreachable(run, task, host);
        } else if (task.runOnce && host.state === 'failed' && !rescued) failEveryHost(b);
        const output = typeof out.result.msg === 'string' && task.module === 'debug' ? out.result.msg : undefined;
        run.opts.report({
          type: 'host:end',
          task: ref,
          host: host.name,
          status: out.status,
          ms: Date.now() - started,
          ...(out.message !== undefined ? { message: out.message } : {}),
          ...(out.error ? { error: out.error } : {}),
          ...(out.ignored ? { ignored: true } : {}),
          ...(output !== undefined && !task.noLog ? { output } : {}),
        });
      }),
    ),
  );
  run.opts.report({ type: 'task:end', task: ref });
}

/** A run_once task's result and facts, given to the hosts it stood for. */
function shareResult(task: Task, ran: HostState, hosts: HostState[], result: Record<string, unknown>): void {
  const facts =
    !result.failed && result.ansible_facts && typeof result.ansible_facts === 'object' ? result.ansible_facts : {};
  for (const h of hosts) {
    if (h === ran) continue;
    if (task.register) h.registered[task.register] = ran.registered[task.register];
    Object.assign(h.registered, facts);
  }
}

/**
 * A run_once task failed (under linear on the one host that ran it, under free on any): as in Ansible, every
 * host of the batch is failed there, uncounted. Those of `rescuing` (the task's hosts, when a block's rescue
 * takes the failure) go to that rescue, without ansible_failed_task/result; the others stop.
 */
function failEveryHost(b: BatchRun, rescuing: HostState[] = []): void {
  for (const h of active(b.batch)) {
    h.state = 'failed';
    if (rescuing.includes(h)) h.failure = {};
  }
}

/** ansible-playbook makes a run_once task any_errors_fatal: its host unreachable ends the run, no rescue, no always. */
function runOnceUnreachable(run: PlayRun, task: Task, host: HostState): void {
  run.stop = `run_once task "${task.name}" could not reach ${host.name}`;
}

/** Stops the run when any_errors_fatal or max_fail_percentage says so (a failure a rescue will take is not down). */
function checkFailLimits(run: PlayRun, play: Play, batch: HostState[]): void {
  if (play.strategy) return; // ignored under free, as in Ansible (src/engine/free.ts warns)
  const down = batch.filter((h) => h.state !== 'active' && !h.failure).length;
  if (down === 0) return;
  if (play.anyErrorsFatal) run.stop = `any_errors_fatal: ${down} host(s) failed in play "${play.name}"`;
  else if (play.maxFailPercentage !== undefined && (down / batch.length) * 100 > play.maxFailPercentage) {
    run.stop = `max_fail_percentage ${play.maxFailPercentage}% exceeded in play "${play.name}" (${down} of ${batch.length} hosts down)`;
  }
}

/**
 * Runs the handlers notified on the active hosts of `among` (end of a section, meta: flush_handlers, end of
 * play): the batch in lock-step, or under free the one host that reached the flush.
 */
async function runHandlers(b: BatchRun, among: HostState[]): Promise<void> {
  const { play, playIndex } = b;
  for (const [i, handler] of play.handlers.entries()) {
    const names = [handler.name, ...handler.listen];
    const hosts = active(among).filter((h) => names.some((n) => h.notified.has(n)));
    if (hosts.length === 0) continue;
    const ref: TaskRef = { play: playIndex, index: i, name: handler.name, module: handler.module, handler: true };
    await runTask(b, handler, ref, hosts);
  }
  for (const h of among) h.notified.clear();
}

/**
 * block, then rescue for the hosts that failed in it, then always for every host that entered,
 * as Ansible's play iterator does: a rescued host goes on; always keeps a failure a failure.
 */
async function runBlock(b: BatchRun, block: Block, hosts: HostState[], scope: Scope): Promise<void> {
  const entered = active(hosts);
  await runItems(b, block.block, entered, { rescuable: scope.rescuable || block.rescue.length > 0 });
  const failed = entered.filter((h) => h.state === 'failed' && h.failure);
  if (block.rescue.length > 0 && failed.length > 0 && !b.run.stop) {
    for (const h of failed) {
      if (h.failure!.task) h.registered.ansible_failed_task = h.failure!.task;
      if (h.failure!.result) h.registered.ansible_failed_result = h.failure!.result;
      delete h.failure;
      h.state = 'active';
    }
    await runItems(b, block.rescue, failed, scope);
  }
  if (block.always.length === 0 || b.run.stop) return;
  const down = entered.filter((h) => h.state === 'failed');
  for (const h of down) h.state = 'active';
  await runItems(b, block.always, entered, scope);
  for (const h of down) if (h.state === 'active') h.state = 'failed';
}

/** Runs task items in order on the hosts still active among `hosts`. */
export async function runItems(
  b: BatchRun,
  items: readonly TaskItem[],
  hosts: HostState[],
  scope: Scope,
): Promise<void> {
  const { run, play } = b;
  for (const [i, item] of items.entries()) {
    const targets = active(hosts);
    if (targets.length === 0 || run.stop || run.opts.signal?.aborted) return;
    if (isTask(item)) {
      if (!taskSelected(item.tags, run.opts.tags, run.opts.skipTags)) continue;
      await runTask(b, item, taskRef(b, item), targets, scope, items.slice(i + 1));
      checkFailLimits(run, b.play, b.batch);
    } else if (item.kind === 'block') await runBlock(b, item, targets, scope);
    else if (item.kind === 'flush') await runHandlers(b, play.strategy ? hosts : b.batch);
    else if (taskSelected(item.tags, run.opts.tags, run.opts.skipTags)) {
      await runInclude(
        b,
        item,
        targets,
        scope,
        (h, s) => {
          if (s.status === 'failed' && scope.rescuable) {
            run.recap.rescued(h.name);
            h.failure = {
              task: { name: item.name, action: 'include_tasks', args: { file: item.file } },
              result: s.result,
            };
          } else run.recap.count(h.name, s.status);
          if (s.status === 'failed') h.state = 'failed';
        },
        runItems,
      );
      checkFailLimits(run, b.play, b.batch);
    }
  }
}

export async function runPlay(run: PlayRun, play: Play, playIndex: number, hosts: PlayHosts): Promise<void> {
  const indexOf = new Map<object, number>(flatTasks(play.tasks).map((t, i) => [t, i] as const));
  let batchNo = 0;
  // Without serial, Ansible's batch is the whole play (phases are stackplay's own order within it).
  const everyone = hosts.phases.flatMap((p) => p.hosts);
  const whole = watchBatch(everyone);
  let seen = 0;
  for (const { phase, hosts: phaseHosts } of hosts.phases) {
    if (run.stop || run.opts.signal?.aborted) return;
    if (phase) run.opts.report({ type: 'phase:start', play: playIndex, phase, hosts: phaseHosts.map((h) => h.name) });
    for (const batch of splitBatches(phaseHosts, play.serial)) {
      if (run.stop || run.opts.signal?.aborted) return;
      if (play.serial.length > 0)
        run.opts.report({ type: 'batch:start', play: playIndex, batch: ++batchNo, hosts: batch.map((h) => h.name) });
      // A host is in the recap once its batch begins (hosts of a batch the run never reached are not, as in Ansible).
      for (const h of batch) run.recap.ensure(h.name);
      const b: BatchRun = { run, play, playIndex, batch, indexOf };
      const watched = watchBatch(batch);
      if (play.strategy) await runFree(b, (fb, host) => runHosts(fb, [host]));
      else await runHosts(b, batch);
      if (run.stop) return;
      seen += batch.length;
      if (play.serial.length > 0 && watched.allWentDown()) {
        const where = `batch ${batchNo} of play "${play.name}"`;
        run.allDown = { where, hosts: batch.map((h) => h.name), cut: seen < everyone.length };
        return;
      }
    }
  }
  if (play.serial.length === 0 && whole.allWentDown())
    run.allDown = { where: `play "${play.name}"`, hosts: everyone.map((h) => h.name), cut: false };
}

/** The play on these hosts: facts, task items, handlers (the whole batch in lock-step, or one host under free). */
async function runHosts(b: BatchRun, hosts: HostState[]): Promise<void> {
  const { run, play, playIndex } = b;
  // Tags never skip it, as in Ansible (its tag is `always`).
  if (play.gatherFacts && active(hosts).length > 0) {
    const gather = factsTask(play);
    await runTask(
      b,
      gather,
      { play: playIndex, index: -1, name: gather.name, module: gather.module },
      active(hosts),
      { rescuable: false },
      play.tasks,
    );
    checkFailLimits(run, play, b.batch);
    if (run.stop) return;
  }
  await runItems(b, play.tasks, hosts, { rescuable: false });
  if (run.stop) return;
  if (!run.opts.signal?.aborted) await runHandlers(b, hosts);
}

export { groupByPhase, runTask };
