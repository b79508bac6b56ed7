// The probes of the tasks ahead of a host that can be known now: each task's gather run on a view that only records what it asks.
import { join } from 'node:path';
import { isTask, type Play, type Task, type TaskItem } from '../load/playbook-types.js';
import type { Become, Command } from '../command.js';
import type { HostView, Module } from '../sdk.js';
import type { ExecResult, Transport } from '../transport/types.js';
import { mayPlanAhead, plansAhead, type PlanAhead } from './plans-ahead.js';
import { privilegeFor, suNeedsPassword } from '../privilege.js';
import { testExpr } from '../template/expr.js';
import { renderingAhead } from '../template/engine.js';
import { buildHostView } from './host-view.js';
import type { Probe } from './prefetch.js';
import { taskSelected } from './tags.js';
import { commandFor } from './apply.js';
import { environmentOf, paramsFor, type TaskHostContext } from './task-host.js';
import type { HostState } from './types.js';
import { taskVars } from './vars.js';

/** What a recording view answers every probe and read with: gather stops there, having named what it asks. */
class Recorded extends Error {}

/** A transport that reaches nothing: a view of a task ahead must never touch the host. */
const nowhere = (host: string, refused: () => Error): Transport => ({
  host,
  exec: () => Promise.reject(refused()),
  read: () => Promise.reject(refused()),
  write: () => Promise.reject(refused()),
  close: () => Promise.resolve(),
});

/** A task as it would run now on a host, rendered ahead: `skip` when its `when` is false, `unknown` when it cannot be rendered yet. */
export type Rendered =
  | { state: 'skip' }
  | { state: 'unknown' }
  | { state: 'ready'; vars: Record<string, unknown>; params: unknown; become: Become | undefined };

/** The task's vars, `when` and params on this host as they render now, and its privilege. */
export function renderedAhead(module: Module, run: TaskHostContext, play: Play, task: Task, host: HostState): Rendered {
  try {
    const vars = ahead(() => taskVars(run.vars, play, task, host));
    if (!ahead(() => task.when.every((c) => testExpr(c, vars)))) return { state: 'skip' };
    const params = ahead(() => paramsFor(module, task, vars));
    const become = privilegeFor(host.resolved.connection?.become, task, play);
    // su that would need its password fails in its turn (task-host.ts): nothing of it goes ahead.
    if (suNeedsPassword(become, host.resolved.connection?.user)) return { state: 'unknown' };
    return { state: 'ready', vars, params, become };
  } catch {
    return { state: 'unknown' };
  }
}

/**
 * The view a task ahead's gather runs on: as in its turn, but the host is never reached: `probe`
 * answers its probes, and anything else it asks is refused with `refused()`.
 */
export function viewAhead(
  run: TaskHostContext,
  task: Task,
  host: HostState,
  r: Extract<Rendered, { state: 'ready' }>,
  probe: NonNullable<Parameters<typeof buildHostView>[0]['probe']>,
  refused: () => Error,
): HostView {
  return buildHostView({
    name: host.name,
    vars: r.vars,
    playbookDir: run.opts.playbookDir,
    ...(task.roleDir ? { localDirs: ['templates', 'files', '.'].map((d) => join(task.roleDir!, d)) } : {}),
    ...(r.become ? { become: r.become } : {}),
    ...(host.resolved.connection ? { connection: host.resolved.connection } : {}),
    transport: nowhere(host.name, refused),
    probe,
  });
}

/** Renders ahead of the task's turn. Rendering has no effects but one: lookup('pipe') runs a command on the controller, so it waits for its turn. */
export function ahead<T>(render: () => T): T {
  renderingAhead.on = true;
  try {
    return render();
  } finally {
    renderingAhead.on = false;
  }
}

/** Whether the task really runs (check_mode on the task overrides --check, both ways). */
const runsForReal = (task: Task, run: TaskHostContext): boolean => !(task.checkMode ?? run.opts.check);

/** What a task's gather did on the recording view: `skip` when its `when` is false, `unknown` when it cannot be rendered yet. */
type Recording =
  | { state: 'skip' }
  | { state: 'unknown' }
  | {
      state: 'gathered';
      /** The probes it asked before its first answer. */
      probes: Probe[];
      /** Its facts, when it finished without asking the host anything. */
      facts?: { value: unknown };
      params: unknown;
      vars: Record<string, unknown>;
      become: Become | undefined;
    };

/**
 * The task's gather on this host as it would run now, on a view that records what it asks and
 * answers nothing. A probe that depends on another's answer is not known ahead: it is asked in its place.
 */
async function recordGather(
  module: Module,
  run: TaskHostContext,
  play: Play,
  task: Task,
  host: HostState,
): Promise<Recording> {
  const seen: Probe[] = [];
  const r = renderedAhead(module, run, play, task, host);
  if (r.state !== 'ready') return r;
  const { vars, params, become } = r;
  const recording = viewAhead(
    run,
    task,
    host,
    r,
    (cmd, fact) => {
      if (cmd.readOnly && fact.ahead) seen.push({ cmd, shared: fact.shared });
      return Promise.reject(new Recorded());
    },
    () => new Recorded(),
  );
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
  let facts: { value: unknown } | undefined;
  try {
    const gathering = module.gather(view, params).then(
      (value) => {
        facts = { value };
      },
      () => undefined,
    );
    // Every probe gather asks before its first answer is asked by the time pending promises settle.
    await Promise.race([gathering, new Promise<void>((r) => setImmediate(r))]);
  } catch {
    // gather threw before its first await: what it asked so far is known.
  }
  return { state: 'gathered', probes: seen, ...(facts ? { facts } : {}), params, vars, become };
}

/** The read-only probes the task's gather asks first on this host: none when it cannot be known yet. */
async function probesOf(module: Module, run: TaskHostContext, play: Play, task: Task, host: HostState) {
  const r = await recordGather(module, run, play, task, host);
  return r.state === 'gathered' ? r.probes : [];
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
    if (module.idempotent === false && runsForReal(item, run)) break;
    if (module.local || item.loop !== undefined || item.delegateTo || item.runOnce) continue;
    out.push(...(await probesOf(module, run, play, item, host)));
  }
  return out;
}

/** A command of a task ahead, sent after the current one's and run only if each before it succeeded. */
export interface AheadCommand {
  task: Task;
  /** As apply sends it: with the task's environment and privilege. */
  cmd: Command;
  /** The exit codes that count as its success: they let the next one run. */
  okCodes: readonly number[];
}

/** What can go with a host's round trip now, for the tasks after the current one. */
export interface Ahead {
  /** The probes of the tasks ahead, up to the next command that runs. */
  probes: Probe[];
  /** When the tasks right after this one are commands that may go with it: those, and the probes of the tasks after them. */
  chain?: { commands: AheadCommand[]; probes: Probe[] };
  /**
   * When this task is a declarative one that may carry others: the plans of the tasks right after
   * it, made from the answers `answer` knows (src/engine/plans-ahead.ts).
   */
  plans?: (answer: (cmd: Command) => ExecResult | undefined) => Promise<PlanAhead[]>;
}

/** Commands sent ahead at most, in one round trip. */
const CHAIN_MAX = 32;

/**
 * Whether nothing about a command task's outcome but its success decides what the engine does
 * next: no register (a later task may read it), no failed_when or until (success is not its exit
 * code), no loop, delegation, run_once or time limit, and it really runs (not in check mode).
 */
export function chainable(task: Task, run: TaskHostContext): boolean {
  return (
    task.loop === undefined &&
    task.register === undefined &&
    task.failedWhen === undefined &&
    task.until === undefined &&
    task.delegateTo === undefined &&
    !task.runOnce &&
    (task.timeout ?? run.opts.timeoutSec) === undefined &&
    runsForReal(task, run)
  );
}

/** Whether a value's text names hostvars, kept per object: play and inventory vars are looked at once. */
const namesHostvars = new WeakMap<object, boolean>();
const mentions = (o: object): boolean => {
  const known = namesHostvars.get(o);
  if (known !== undefined) return known;
  const v = JSON.stringify(o).includes('hostvars');
  namesHostvars.set(o, v);
  return v;
};

/**
 * Whether what the task runs may read other hosts' variables: its `when`, params, vars or
 * environment, or the play's and the host's vars (rendered when a template uses them). With other
 * hosts running at the same time (under free), one may register or set them before the engine
 * reaches the task, so what it does is not known yet.
 */
export const readsOtherHosts = (task: Task, play: Play, host: HostState): boolean =>
  JSON.stringify([task.when, task.params, task.vars, task.environment ?? null]).includes('hostvars') ||
  mentions(play.vars) ||
  mentions(play.defaults ?? {}) ||
  mentions(host.resolved.vars);

/** The task's one command as apply would send it now, or undefined when it cannot be known ahead. */
async function commandAhead(
  module: Module,
  run: TaskHostContext,
  play: Play,
  task: Task,
  host: HostState,
): Promise<AheadCommand | 'skip' | undefined> {
  const r = await recordGather(module, run, play, task, host);
  if (r.state === 'skip') return 'skip';
  // A gather that asks the host anything (creates, removes) needs its answer first.
  if (r.state !== 'gathered' || !r.facts || r.probes.length > 0) return undefined;
  try {
    const plan = module.plan(r.facts.value, r.params);
    const step = plan.steps[0];
    if (plan.fail || plan.steps.length !== 1 || step?.kind !== 'exec' || step.stdin !== undefined) return undefined;
    const env = task.environment ? ahead(() => environmentOf(task, r.vars)) : undefined;
    return { task, cmd: commandFor(step.cmd, env, r.become), okCodes: step.okCodes ?? [0] };
  } catch {
    return undefined;
  }
}

/**
 * The commands of the tasks right after the current one that may run in its round trip: each a
 * command task that is chainable and whose one command is known now; tasks its tags or `when`
 * skip are passed over, anything else ends the chain. `next` is where the tasks after it start.
 */
async function commandsAhead(
  run: TaskHostContext,
  play: Play,
  items: readonly TaskItem[],
  host: HostState,
  withOthers: boolean,
): Promise<{ commands: AheadCommand[]; next: number }> {
  const commands: AheadCommand[] = [];
  let next = 0;
  for (const [i, item] of items.entries()) {
    if (commands.length >= CHAIN_MAX || !isTask(item)) break;
    next = i;
    if (!taskSelected(item.tags, run.opts.tags, run.opts.skipTags)) continue;
    const module = run.opts.modules.get(item.module);
    if (module?.idempotent !== false || module.local || !chainable(item, run)) break;
    if (withOthers && readsOtherHosts(item, play, host)) break;
    const c = await commandAhead(module, run, play, item, host);
    if (c === undefined) break;
    if (c !== 'skip') commands.push(c);
    next = i + 1;
  }
  return { commands, next };
}

/**
 * What may go with the current task's round trips on this host: the probes ahead, and when the
 * host runs alone (no other host in lock-step with it; `withOthers` when other hosts of its batch
 * run meanwhile, under free) and the current task is a chainable command, the commands right after
 * it with the probes after those.
 */
export async function lookAhead(
  run: TaskHostContext,
  play: Play,
  current: Task,
  items: readonly TaskItem[],
  host: HostState,
  alone: { withOthers: boolean } | undefined,
): Promise<Ahead> {
  const probes = await probesAhead(run, play, items, host);
  if (!alone || !chainable(current, run)) return { probes };
  const module = run.opts.modules.get(current.module);
  if (module?.idempotent !== false) {
    // A plan made ahead is shown without a diff: a diff reads the file, which would be a round trip of its own.
    if (run.opts.diff || !mayPlanAhead(current, run)) return { probes };
    return { probes, plans: (answer) => plansAhead(run, play, items, host, alone.withOthers, answer) };
  }
  const { commands, next } = await commandsAhead(run, play, items, host, alone.withOthers);
  if (commands.length === 0) return { probes };
  return { probes, chain: { commands, probes: await probesAhead(run, play, items.slice(next), host) } };
}
