// One task on one host: when, loop, render params, gather, plan, apply, re-plan, register.
import { join } from 'node:path';
import type { Play, Task } from '../load/playbook-types.js';
import type { Module, Plan } from '../sdk.js';
import type { HostStatus, Reporter, StepShown, TaskRef } from '../report/events.js';
import type { Transport } from '../transport/types.js';
import type { EngineOptions, HostState } from './types.js';
import type { ResolvedHost } from '../inventory/types.js';
import { HostError, ModuleBugError, StackplayError, UnreachableError, formatSpan } from '../errors.js';
import { readOnlyTransport } from '../transport/readonly.js';
import { testExpr } from '../template/expr.js';
import { withData } from '../template/scope.js';
import { ExprError, TemplateError, gatherFactsHint } from '../template/errors.js';
import { buildHostView } from './host-view.js';
import { applySteps, commandFor, StepFailedError } from './apply.js';
import { shownPlan } from './write-diff.js';
import { renderDeep, taskVars, type VarSources } from './vars.js';
import { loopItems } from './loop-items.js';
import { failedExecResult, loopResult, resultOf, skippedByWhen, skippedResult } from './task-result.js';
import type { Become } from '../command.js';
import { privilegeFor, SU_PASSWORD_HINT, SU_PASSWORD_WHY, suNeedsPassword } from '../privilege.js';
import type { Prefetch, TaskProbes } from './prefetch.js';
import type { Ahead } from './lookahead.js';

export interface TaskOutcome {
  status: HostStatus;
  ignored: boolean;
  result: Record<string, unknown>;
  message?: string;
  error?: { code: string; message: string };
}

export interface TaskHostContext {
  opts: EngineOptions;
  vars: VarSources;
  /** The run's probe cache (src/engine/prefetch.ts); without it every probe is its own round trip. */
  prefetch?: Prefetch;
  /** The probes (and commands) of the tasks after this one that can be known now, for this host (src/engine/lookahead.ts). */
  ahead?: (host: HostState) => Promise<Ahead>;
}

const NO_LOG = 'the output has been hidden due to no_log: true';

class TaskFailed extends StackplayError {}

/** The failure as the user reads it (the step and its output tail), beside the result's Ansible-shaped msg. */
const DETAIL = Symbol('failure detail');

/** Params after templating, checked against the module's schema (templated values could not be checked at load). */
export function paramsFor(module: Module, task: Task, vars: Record<string, unknown>): unknown {
  const rendered = renderDeep(task.params, vars);
  const parsed = module.params.safeParse(rendered);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const key = String(issue.path[0] ?? '');
  const at = task.paramAt[key] ?? task.at;
  throw new TaskFailed(
    'E_PARAM',
    `${task.module}.${issue.path.join('.') || '(params)'}: ${issue.message} (after templating, at ${formatSpan(at)})`,
  );
}

/** The task's own `timeout`, else the run's per-command limit, in ms (none when neither is set). */
const commandLimitMs = (task: Task, ctx: TaskHostContext): number | undefined => {
  const sec = task.timeout ?? ctx.opts.timeoutSec;
  return sec ? sec * 1000 : undefined;
};

async function planOn(
  module: Module,
  params: unknown,
  ctx: TaskHostContext,
  host: HostState,
  vars: Record<string, unknown>,
  become: Become | undefined,
  limitMs: number | undefined,
  transport?: Transport,
  roleDir?: string,
  probes?: TaskProbes,
): Promise<Plan> {
  const view = buildHostView({
    ...(probes ? { probe: (cmd, fact, o) => probes.probe(cmd, fact.shared, o) } : {}),
    name: host.name,
    vars,
    playbookDir: ctx.opts.playbookDir,
    ...(roleDir ? { localDirs: ['templates', 'files', '.'].map((d) => join(roleDir, d)) } : {}),
    ...(become ? { become } : {}),
    ...(host.resolved.connection ? { connection: host.resolved.connection } : {}),
    ...(transport ? { transport } : {}),
    ...(limitMs ? { timeoutMs: limitMs } : {}),
  });
  const facts = await module.gather(view, params);
  try {
    return module.plan(facts, params);
  } catch (e) {
    throw new ModuleBugError(module.name, `plan() threw: ${(e as Error).message}`);
  }
}

/** A no_log task's step as shown: what it runs or writes may hold the secret it makes. */
const hideStep = (s: StepShown): StepShown => {
  if (s.kind === 'exec') return { ...s, title: NO_LOG, cmd: { ...s.cmd, display: NO_LOG } };
  if (s.kind === 'write' || s.kind === 'controller-write')
    return {
      kind: s.kind,
      title: NO_LOG,
      path: s.path,
      size: s.size,
      before: s.before && { size: s.before.size },
      secret: true,
    };
  return { ...s, title: NO_LOG };
};

/** A no_log task streams no output and shows its steps hidden. */
const noLogReporter =
  (report: Reporter): Reporter =>
  (e) => {
    if (e.type === 'output') return;
    report(e.type === 'step:start' || e.type === 'step:end' ? { ...e, step: hideStep(e.step) } : e);
  };

/** The task's environment rendered for this host: strings as Ansible exports them (True/False for booleans). */
export function environmentOf(task: Task, vars: Record<string, unknown>): Record<string, string> {
  const env = renderDeep(task.environment, vars) as Record<string, unknown>;
  return Object.fromEntries(
    Object.entries(env).map(([k, v]) => [
      k,
      typeof v === 'boolean' ? (v ? 'True' : 'False') : typeof v === 'string' ? v : JSON.stringify(v),
    ]),
  );
}

const LOCALHOST = new Set(['localhost', '127.0.0.1', '::1']);

/**
 * The host a delegated task runs on: an inventory host (its connection vars), or the controller for
 * an implicit localhost, as Ansible; the task keeps the vars of the host it runs for.
 */
function delegateHost(task: Task, ctx: TaskHostContext, vars: Record<string, unknown>): ResolvedHost | undefined {
  if (!task.delegateTo) return undefined;
  const name = String(renderDeep(task.delegateTo, vars)).trim();
  const known = ctx.vars.hostvars[name];
  if (known) return { name, groups: [], vars: known };
  if (LOCALHOST.has(name)) return { name, groups: [], vars: { ansible_connection: 'local' } };
  throw new TaskFailed('E_DELEGATE', `delegate_to: "${name}" is not in the inventory (at ${formatSpan(task.at)})`);
}

/** One attempt of the task with fixed vars: plan, and unless in check mode, apply and re-plan. */
async function attempt(
  module: Module,
  task: Task,
  ref: TaskRef,
  ctx: TaskHostContext,
  host: HostState,
  vars: Record<string, unknown>,
  become: Become | undefined,
): Promise<Record<string, unknown>> {
  const params = paramsFor(module, task, vars);
  const raw = module.local ? undefined : await ctx.opts.connector.get(delegateHost(task, ctx, vars) ?? host.resolved);
  // check_mode on the task overrides --check for it, both ways, as in Ansible.
  const check = task.checkMode ?? ctx.opts.check;
  const transport = raw && check ? readOnlyTransport(raw) : raw;
  const limitMs = commandLimitMs(task, ctx);
  // A delegated task reaches another host, whose tasks ahead are not this one's.
  const ahead = ctx.ahead && !task.delegateTo ? ctx.ahead : undefined;
  const probes =
    raw && transport && ctx.prefetch
      ? ctx.prefetch.forTask(raw, transport, ahead ? () => ahead(host) : () => Promise.resolve({ probes: [] }))
      : undefined;
  // Its plan may have gone ahead already, guarded, with an earlier task's round trip (plans-ahead.ts).
  // A delegated task reaches another host, whose queue is that host's own tasks'.
  const planned = check || task.delegateTo ? undefined : probes?.takePlan(task);
  const plan =
    planned?.ahead.plan ??
    (await planOn(module, params, ctx, host, vars, become, limitMs, transport, task.roleDir, probes));
  const diff = ctx.opts.diff && !task.noLog;
  const shown = await shownPlan(
    plan,
    diff,
    transport && { transport, ...(become ? { become } : {}), ...(limitMs ? { timeoutMs: limitMs } : {}) },
  );
  ctx.opts.report({
    type: 'host:plan',
    task: ref,
    host: host.name,
    plan: task.noLog ? { steps: shown.steps.map(hideStep) } : shown,
    diff,
  });
  if (plan.fail) return { ...resultOf(plan, undefined, false), failed: true, msg: plan.fail };
  if (plan.steps.length === 0) return resultOf(plan, undefined, false);
  // A command that did not run has no output: later tasks that need it are skipped in check mode, as in Ansible.
  if (check)
    return {
      ...resultOf(plan, undefined, true),
      ...(module.idempotent === false ? { skipped: true, msg: 'would run (check mode)' } : {}),
    };
  const env = task.environment ? environmentOf(task, vars) : undefined;
  // A command task's one command may have run already, sent ahead with an earlier task's (lookahead.ts).
  const only = plan.steps.length === 1 && module.idempotent === false ? plan.steps[0] : undefined;
  const one = only?.kind === 'exec' && only.stdin === undefined ? commandFor(only.cmd, env, become) : undefined;
  const sentCommand = planned || task.delegateTo ? undefined : probes?.takeSent(task, one);
  const sent = planned ? planned.results : sentCommand ? new Map([[0, sentCommand]]) : undefined;
  const commandsAhead = one && probes && !sent ? await probes.commandsAhead() : [];
  // A declarative task that changes the host carries the plans of the tasks after it, unless it sets facts they read.
  const plansAhead =
    probes && !sent && module.idempotent !== false && plan.data?.ansible_facts === undefined
      ? await probes.plansAhead()
      : undefined;
  const applyCtx = {
    host: host.name,
    task: ref,
    transport: probes ? probes.effects() : transport!,
    become,
    report: task.noLog ? noLogReporter(ctx.opts.report) : ctx.opts.report,
    ...(limitMs ? { timeoutMs: limitMs } : {}),
    ...(env ? { env } : {}),
    ...(sent ? { sent } : {}),
    ...(commandsAhead.length > 0
      ? {
          ahead: {
            steps: commandsAhead.map((c) => ({ item: { cmd: c.cmd }, okCodes: c.okCodes })),
            done: (r: Parameters<TaskProbes['sentAhead']>[1]) => probes!.sentAhead(commandsAhead, r),
            ...(ctx.opts.signal ? { signal: ctx.opts.signal } : {}),
          },
        }
      : plansAhead
        ? { ahead: { ...plansAhead, ...(ctx.opts.signal ? { signal: ctx.opts.signal } : {}) } }
        : {}),
    reconnect: async (address: string, timeoutSec?: number) => {
      const next = await ctx.opts.connector.reconnect(host.resolved, address, timeoutSec);
      return probes ? probes.reconnected(next) : next;
    },
  };
  let exec: Awaited<ReturnType<typeof applySteps>>;
  try {
    exec = await applySteps(applyCtx, plan.steps);
  } catch (e) {
    // A command that exits non-zero is a result (rc, output) that failed_when may still accept, as in Ansible.
    if (!(e instanceof StepFailedError) || e.step.kind !== 'exec') throw e;
    return { ...failedExecResult(plan, e.result, module.idempotent === false), [DETAIL]: e.message };
  }
  if (module.idempotent !== false) {
    // The tasks after this one whose steps ran with its round trip: a failure here is told with them.
    const ranAhead = () => {
      const ran = probes?.ranAhead() ?? [];
      return ran.length > 0 ? ` (already applied with it, planned ahead: ${ran.map((n) => `"${n}"`).join(', ')})` : '';
    };
    let again: Plan;
    try {
      again = await planOn(
        module,
        planned ? planned.ahead.params : params,
        ctx,
        host,
        vars,
        become,
        limitMs,
        applyCtx.transport,
        task.roleDir,
        probes,
      );
    } catch (e) {
      if (e instanceof Error) e.message += ranAhead();
      throw e;
    }
    if (again.fail)
      throw new ModuleBugError(module.name, `after apply on ${host.name} it refuses: ${again.fail}${ranAhead()}`);
    // Actions asked for on every run (restart, reload) come back; every other step must be gone.
    const left = again.steps.filter((s) => !(s.kind === 'exec' && s.always));
    if (left.length > 0) {
      throw new ModuleBugError(
        module.name,
        `not convergent on ${host.name}: after apply it still plans ${left.map((s) => s.title).join('; ')}${ranAhead()}`,
      );
    }
  }
  return resultOf(plan, exec, true);
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((res) => {
    const t = setTimeout(res, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        res();
      },
      { once: true },
    );
  });

/** Runs attempts until `until` holds (or once), then applies changed_when / failed_when. */
async function runItem(
  module: Module,
  task: Task,
  ref: TaskRef,
  ctx: TaskHostContext,
  host: HostState,
  vars: Record<string, unknown>,
  become: Become | undefined,
): Promise<Record<string, unknown>> {
  // Refused at load (src/validate/su-password.ts); here for the tasks of an include read at run time.
  if (suNeedsPassword(become, host.resolved.connection?.user))
    throw new StackplayError(
      'E_BECOME',
      `become with su and a become password: ${SU_PASSWORD_WHY}; ${SU_PASSWORD_HINT}`,
    );
  const tries = task.until ? (task.retries ?? 3) + 1 : 1;
  let result: Record<string, unknown> = {};
  for (let i = 1; i <= tries; i++) {
    try {
      result = await attempt(module, task, ref, ctx, host, vars, become);
    } catch (e) {
      if (e instanceof UnreachableError || e instanceof ModuleBugError || !task.until) throw e;
      result = { changed: false, failed: true, msg: (e as Error).message };
    }
    const seen = withData(vars, { ...(task.register ? { [task.register]: result } : {}), result });
    if (task.changedWhen) result.changed = task.changedWhen.every((c) => testExpr(c, seen));
    if (task.failedWhen) result.failed = task.failedWhen.some((c) => testExpr(c, seen));
    if (!task.until || task.until.every((c) => testExpr(c, seen))) {
      if (task.until) result.attempts = i;
      return result;
    }
    if (i < tries) await sleep((task.delay ?? 5) * 1000, ctx.opts.signal);
  }
  const waited = `${tries} attempts waiting for: ${task.until!.join(' and ')}`;
  // As Ansible, the last attempt's own message stays the result's: it says what is still wrong.
  const last = typeof result.msg === 'string' && result.msg !== '' ? result.msg : undefined;
  const detail = (result as Record<symbol, unknown>)[DETAIL];
  return {
    ...result,
    failed: true,
    attempts: tries,
    msg: last ? `${last} (retries exhausted: ${waited})` : `retries exhausted (${waited})`,
    ...(typeof detail === 'string' ? { [DETAIL]: `${detail} (retries exhausted: ${waited})` } : {}),
  };
}

/** In check mode, an undefined value read from a result that check mode could not produce is a skip, not a failure. */
function checkModeGap(e: unknown, host: HostState): string | undefined {
  const variable = e instanceof TemplateError || e instanceof ExprError ? e.variable : undefined;
  const root = variable?.split(/[.[]/)[0];
  const result = root ? (host.registered[root] as Record<string, unknown> | undefined) : undefined;
  return result?.skipped ? `skipped in check mode: needs ${variable}, which only a real run produces` : undefined;
}

/** An undefined ansible_* fact most likely means the play gathers none: say so (gather_facts is off by default). */
function factsHint(e: unknown, host: HostState): string {
  const variable = e instanceof TemplateError || e instanceof ExprError ? e.variable : undefined;
  if (!variable?.startsWith('ansible_') || host.facts) return '';
  return ` (${gatherFactsHint})`;
}

/** A no_log task's output becomes secret: every string in its result is masked from then on. */
function hideValues(value: unknown, secrets: string[] | undefined): void {
  if (!secrets) return;
  if (typeof value === 'string') {
    if (value.trim().length >= 3) secrets.push(value.trim());
  } else if (Array.isArray(value)) for (const v of value) hideValues(v, secrets);
  else if (value && typeof value === 'object')
    Object.entries(value).forEach(([k, v]) => {
      if (k !== 'msg') hideValues(v, secrets);
    });
}

/** Facts a result sets (set_fact) become host variables for the tasks that follow, as in Ansible. */
function keepFacts(host: HostState, result: Record<string, unknown>): void {
  const facts = result.ansible_facts;
  if (!result.failed && facts && typeof facts === 'object') Object.assign(host.registered, facts);
}

/** One loop item: skipped when its `when` is false; an item that cannot run fails alone and the loop goes on, as in Ansible. */
async function runLoopItem(
  module: Module,
  task: Task,
  ref: TaskRef,
  ctx: TaskHostContext,
  host: HostState,
  vars: Record<string, unknown>,
  become: Become | undefined,
): Promise<Record<string, unknown>> {
  if (!task.when.every((c) => testExpr(c, vars))) return skippedResult();
  try {
    return await runItem(module, task, ref, ctx, host, vars, become);
  } catch (e) {
    if (e instanceof UnreachableError || e instanceof ModuleBugError || !(e instanceof StackplayError)) throw e;
    return { changed: false, failed: true, msg: e.message };
  }
}

/** What the user reads for a failed result: the step's own report when a command failed, else msg. */
function failureMessage(result: Record<string | symbol, unknown>): string {
  if (typeof result[DETAIL] === 'string') return result[DETAIL];
  const items = Array.isArray(result.results) ? (result.results as Record<string | symbol, unknown>[]) : [];
  const item = items.find((r) => r.failed);
  if (item) return failureMessage(item);
  return String(result.msg ?? result.stderr ?? 'failed');
}

/** Runs the task on the host, never throwing for host problems: the outcome says what happened. */
export async function runTaskOnHost(
  play: Play,
  task: Task,
  ref: TaskRef,
  ctx: TaskHostContext,
  host: HostState,
): Promise<TaskOutcome> {
  const module = ctx.opts.modules.get(task.module)!;
  const become = privilegeFor(host.resolved.connection?.become, task, play);
  try {
    const base = taskVars(ctx.vars, play, task, host);
    let result: Record<string, unknown>;
    if (task.loop === undefined) {
      result = task.when.every((c) => testExpr(c, base))
        ? await runItem(module, task, ref, ctx, host, base, become)
        : skippedResult();
      keepFacts(host, result);
    } else {
      const results: Record<string, unknown>[] = [];
      for (const [index, item] of loopItems(task, renderDeep(task.loop, base)).entries()) {
        const loopVars = { [task.loopVar]: item, ...(task.indexVar ? { [task.indexVar]: index } : {}) };
        const r = await runLoopItem(
          module,
          task,
          ref,
          ctx,
          host,
          taskVars(ctx.vars, play, task, host, loopVars),
          become,
        );
        keepFacts(host, r);
        results.push({
          ...r,
          ...loopVars,
          ansible_loop_var: task.loopVar,
          ...(task.indexVar ? { ansible_index_var: task.indexVar } : {}),
        });
      }
      result = loopResult(results);
    }
    if (task.register) host.registered[task.register] = result;
    if (task.noLog) hideValues(result, ctx.opts.secrets);
    if (skippedByWhen(result)) return { status: 'skipped', ignored: false, result };
    if (result.failed) {
      const msg = task.noLog ? NO_LOG : failureMessage(result);
      return {
        status: 'failed',
        ignored: task.ignoreErrors,
        result,
        message: msg,
        error: { code: 'E_TASK_FAILED', message: msg },
      };
    }
    return {
      status: result.changed ? 'changed' : 'ok',
      ignored: false,
      result,
      ...(typeof result.msg === 'string' ? { message: task.noLog ? NO_LOG : result.msg } : {}),
    };
  } catch (e) {
    const waiting = (task.checkMode ?? ctx.opts.check) ? checkModeGap(e, host) : undefined;
    if (waiting)
      return {
        status: 'skipped',
        ignored: false,
        result: { skipped: true, changed: false, msg: waiting },
        message: waiting,
      };
    const err = e instanceof Error ? e : new Error(String(e));
    const code = err instanceof StackplayError ? err.code : 'E_INTERNAL';
    const message = task.noLog && !(err instanceof UnreachableError) ? NO_LOG : err.message + factsHint(err, host);
    const result = {
      changed: false,
      failed: true,
      msg: message,
      ...(err instanceof UnreachableError ? { unreachable: true } : {}),
    };
    if (task.register) host.registered[task.register] = result;
    if (err instanceof UnreachableError)
      return { status: 'unreachable', ignored: false, result, message, error: { code, message } };
    const known = err instanceof HostError || err instanceof StackplayError;
    return {
      status: 'failed',
      ignored: task.ignoreErrors,
      result,
      message: known ? message : `internal error: ${err.stack ?? message}`,
      error: { code, message },
    };
  }
}
