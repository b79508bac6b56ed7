// The plans of the declarative tasks after a changing one, made now from the answers known now, to go guarded in its round trip.
//
// Why: a first run changes task after task, and each write is planned from its probe's answer,
// so each cost a round trip of its own. A plan made ahead goes with the task before it, behind a
// guard: on the host, the probes it was made from run again right before its steps, and the steps
// run only if every answer is the same (src/transport/guard.ts). The module's plan is a pure
// function of those answers and the task's vars (sdk.ts), so the same answers make the same plan:
// what runs is what the engine would have planned at that moment. A difference stops the chain
// there; the engine plans that task again, from the answers that followed the chain.
import { isTask, type Play, type Task, type TaskItem } from '../load/playbook-types.js';
import type { Become, Command } from '../command.js';
import type { Plan } from '../sdk.js';
import type { ExecResult } from '../transport/types.js';
import { taskSelected } from './tags.js';
import { ahead, chainable, readsOtherHosts, renderedAhead, viewAhead } from './lookahead.js';
import { environmentOf, type TaskHostContext } from './task-host.js';
import type { Probe } from './prefetch.js';
import type { HostState } from './types.js';

/** A task's plan made ahead of its turn, and what it was made from. */
export interface PlanAhead {
  task: Task;
  params: unknown;
  plan: Plan;
  /** The probes its gather asked, in order, with the answers the plan was made from: its guard. */
  asked: { probe: Probe; result: ExecResult }[];
  become: Become | undefined;
  env: Record<string, string> | undefined;
}

/** What the view answers a probe it has no answer for, and any read of the host: the task cannot be planned ahead. */
class NotKnown extends Error {}

/** Plans made ahead at most, in one round trip. */
const PLANS_MAX = 32;

/**
 * Whether a plan may be made ahead: no failure, no facts it sets for the tasks after it. Whether
 * its steps can go in a chain is decided where the chain is built (stepsOf in prefetch.ts).
 */
const chainablePlan = (plan: Plan): boolean => plan.fail === undefined && plan.data?.ansible_facts === undefined;

/**
 * Whether a task may carry plans or be planned ahead: one that may go in a chain (chainable), whose
 * steps are shown, and whose result the engine takes as it comes (a changed_when that fails to
 * evaluate would stop the host after the tasks ahead of it ran).
 */
export const mayPlanAhead = (task: Task, run: TaskHostContext): boolean =>
  chainable(task, run) && !task.noLog && task.changedWhen === undefined;

/** The task's plan from the answers known now, or undefined when it needs anything else from the host. */
async function planAhead(
  run: TaskHostContext,
  play: Play,
  task: Task,
  host: HostState,
  answer: (cmd: Command) => ExecResult | undefined,
  withOthers: boolean,
): Promise<PlanAhead | 'skip' | undefined> {
  const module = run.opts.modules.get(task.module)!;
  const r = renderedAhead(module, run, play, task, host);
  if (r.state === 'skip') return 'skip';
  if (r.state === 'unknown') return undefined;
  const { vars, params, become } = r;
  const asked: PlanAhead['asked'] = [];
  // Set when the view could not answer: a gather that caught that would plan from what it did not know.
  let missed = false;
  const notKnown = () => {
    missed = true;
    return new NotKnown();
  };
  const base = viewAhead(
    run,
    task,
    host,
    r,
    async (cmd, fact) => {
      const result = fact.ahead && cmd.readOnly ? answer(cmd) : undefined;
      if (!result) throw notKnown();
      asked.push({ probe: { cmd, shared: fact.shared }, result });
      return result;
    },
    notKnown,
  );
  // Rendering ahead has no effects but lookup('pipe'), which refuses meanwhile (a template using it fails to plan here).
  // A template file reading other hosts' variables while they run is rendered in its turn (they may change them meanwhile).
  const view = {
    ...base,
    readLocal: async (path: string) => {
      const text = await base.readLocal(path);
      if (withOthers && text.includes('hostvars')) throw notKnown();
      return text;
    },
    render: (template: string, source: string) => ahead(() => base.render(template, source)),
    test: (expression: string) => ahead(() => base.test(expression)),
  };
  try {
    const facts = await module.gather(view, params);
    const plan = module.plan(facts, params);
    if (missed || !chainablePlan(plan)) return undefined;
    const env = task.environment ? ahead(() => environmentOf(task, vars)) : undefined;
    return { task, params, plan, asked, become, env };
  } catch {
    return undefined;
  }
}

/**
 * The plans of the tasks right after a changing one that can be made now, from `answer` (the
 * host's answers known before its change): declarative tasks that may go in a chain. Tasks its
 * tags or `when` skip are passed over; anything else ends the list (a command, whose effects are
 * unknown; a controller-only module such as set_fact or assert; a loop; a register; a task that
 * needs an answer not known yet), and so does a task reading other hosts' variables while they
 * run (`withOthers`).
 */
export async function plansAhead(
  run: TaskHostContext,
  play: Play,
  items: readonly TaskItem[],
  host: HostState,
  withOthers: boolean,
  answer: (cmd: Command) => ExecResult | undefined,
): Promise<PlanAhead[]> {
  const out: PlanAhead[] = [];
  for (const item of items) {
    if (out.length >= PLANS_MAX || !isTask(item)) break;
    if (!taskSelected(item.tags, run.opts.tags, run.opts.skipTags)) continue;
    const module = run.opts.modules.get(item.module);
    if (!module || module.idempotent === false || module.local || !mayPlanAhead(item, run)) break;
    if (withOthers && readsOtherHosts(item, play, host)) break;
    const p = await planAhead(run, play, item, host, answer, withOthers);
    if (p === undefined) break;
    if (p !== 'skip') out.push(p);
  }
  return out;
}
