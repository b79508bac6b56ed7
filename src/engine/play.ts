// Running one play: phases, serial batches, tasks in lock-step across a batch, handlers, fail limits.
import pLimit from 'p-limit';
import type { Play, Task } from '../load/playbook-types.js';
import type { TaskRef } from '../report/events.js';
import type { HostState } from './types.js';
import type { Recap } from './recap.js';
import { runTaskOnHost, type TaskHostContext } from './task-host.js';
import { splitBatches, groupByPhase } from './batches.js';
import { taskSelected } from './tags.js';
import { factsTask, keepFacts } from './facts.js';

export interface PlayRun extends TaskHostContext {
  recap: Recap;
  /** Set when the run must stop: a fail limit, any_errors_fatal, or an interrupt. */
  stop?: string;
}

export interface PlayHosts {
  /** Hosts of the play in run order, grouped by phase ('' = a single unphased group). */
  phases: { phase: string; hosts: HostState[] }[];
}

const active = (hosts: HostState[]) => hosts.filter((h) => h.state === 'active');

/** Runs one task across hosts in parallel (bounded by forks); records outcomes. */
async function runTask(run: PlayRun, play: Play, task: Task, ref: TaskRef, hosts: HostState[]): Promise<void> {
  const limit = pLimit(Math.max(1, run.opts.forks));
  run.opts.report({ type: 'task:start', task: ref, hosts: hosts.map((h) => h.name) });
  await Promise.all(
    hosts.map((host) =>
      limit(async () => {
        if (run.opts.signal?.aborted) return;
        const started = Date.now();
        const out = await runTaskOnHost(play, task, ref, run, host);
        keepFacts(run, host, out.result);
        run.recap.count(host.name, out.status, out.ignored, out.result.changed === true);
        if (out.status === 'unreachable') host.state = 'unreachable';
        else if (out.status === 'failed' && !out.ignored) host.state = 'failed';
        if (out.status === 'changed') for (const n of task.notify) host.notified.add(n);
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

/** Stops the run when any_errors_fatal or max_fail_percentage says so. */
function checkFailLimits(run: PlayRun, play: Play, batch: HostState[]): void {
  const down = batch.filter((h) => h.state !== 'active').length;
  if (down === 0) return;
  if (play.anyErrorsFatal) run.stop = `any_errors_fatal: ${down} host(s) failed in play "${play.name}"`;
  else if (play.maxFailPercentage !== undefined && (down / batch.length) * 100 > play.maxFailPercentage) {
    run.stop = `max_fail_percentage ${play.maxFailPercentage}% exceeded in play "${play.name}" (${down} of ${batch.length} hosts down)`;
  }
}

async function runHandlers(run: PlayRun, play: Play, playIndex: number, batch: HostState[]): Promise<void> {
  for (const [i, handler] of play.handlers.entries()) {
    const names = [handler.name, ...handler.listen];
    const hosts = active(batch).filter((h) => names.some((n) => h.notified.has(n)));
    if (hosts.length === 0) continue;
    const ref: TaskRef = { play: playIndex, index: i, name: handler.name, module: handler.module, handler: true };
    await runTask(run, play, handler, ref, hosts);
  }
  for (const h of batch) h.notified.clear();
}

export async function runPlay(run: PlayRun, play: Play, playIndex: number, hosts: PlayHosts): Promise<void> {
  const tasks = play.tasks
    .map((task, index) => ({ task, index }))
    .filter(({ task }) => taskSelected(task.tags, run.opts.tags, run.opts.skipTags));
  let batchNo = 0;
  for (const { phase, hosts: phaseHosts } of hosts.phases) {
    if (run.stop || run.opts.signal?.aborted) return;
    if (phase) run.opts.report({ type: 'phase:start', play: playIndex, phase, hosts: phaseHosts.map((h) => h.name) });
    for (const batch of splitBatches(phaseHosts, play.serial)) {
      if (run.stop || run.opts.signal?.aborted) return;
      if (play.serial.length > 0)
        run.opts.report({ type: 'batch:start', play: playIndex, batch: ++batchNo, hosts: batch.map((h) => h.name) });
      // Tags never skip it, as in Ansible (its tag is `always`).
      if (play.gatherFacts && active(batch).length > 0) {
        const gather = factsTask(play);
        await runTask(
          run,
          play,
          gather,
          { play: playIndex, index: -1, name: gather.name, module: gather.module },
          active(batch),
        );
        checkFailLimits(run, play, batch);
        if (run.stop) return;
      }
      for (const { task, index } of tasks) {
        const targets = active(batch);
        if (targets.length === 0 || run.opts.signal?.aborted) break;
        await runTask(run, play, task, { play: playIndex, index, name: task.name, module: task.module }, targets);
        checkFailLimits(run, play, batch);
        if (run.stop) return;
      }
      if (!run.opts.signal?.aborted) await runHandlers(run, play, playIndex, batch);
    }
  }
}

export { groupByPhase };
