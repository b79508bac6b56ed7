// Running a plan's steps on a host: the only code that changes hosts.
import type { Step } from '../sdk.js';
import type { Become, Command } from '../command.js';
import type { ChainedItem, ChainedStep, ExecResult, Followers, Transport } from '../transport/types.js';
import type { TaskRef, Reporter } from '../report/events.js';
import { HostError } from '../errors.js';
import { FileTransferError } from '../transport/errors.js';
import { whyFailed } from '../transport/become-files.js';
import { quote } from '../command.js';
import { writeControllerFile } from './controller-files.js';
import { shownStep } from '../report/step-shown.js';

export interface ApplyContext {
  host: string;
  task: TaskRef;
  transport: Transport;
  /** The task's privilege (src/privilege.ts); none runs as the login user. */
  become: Become | undefined;
  timeoutMs?: number;
  /** The task's `environment`: exported for its commands only (a subshell, so a shared shell keeps none). */
  env?: Record<string, string>;
  report: Reporter;
  /**
   * Results of steps that already ran, by index, sent ahead with an earlier task's round trip
   * (its command: lookahead.ts; its plan: plans-ahead.ts); the others run in their turn.
   */
  sent?: ReadonlyMap<number, ExecResult>;
  /**
   * The steps of the tasks after this one that go in its last step's round trip, each run only
   * if the one before it succeeded (src/engine/lookahead.ts); `done` gets their results, undefined
   * for one that did not run. `signal` stops those not yet started.
   */
  ahead?: { steps: readonly AheadStep[]; done(results: (ExecResult | undefined)[]): void; signal?: AbortSignal };
  /** Called for reconnect steps; returns the transport to use from then on. */
  reconnect(address: string, timeoutSec?: number): Promise<Transport>;
}

/** A step that ran and failed: the host fails with this, carrying the command's output. */
export class StepFailedError extends HostError {
  constructor(
    host: string,
    readonly step: Step,
    readonly result: ExecResult,
  ) {
    const tail = (result.stderr || result.stdout).trim().split('\n').slice(-5).join('\n');
    const why = result.code === null ? `killed by ${result.signal ?? 'signal'}` : `exit ${result.code}`;
    super('E_STEP', host, `${step.title}: ${why}${tail ? `\n${tail}` : ''}`);
  }
}

const withEnvironment = (env: Record<string, string>, text: string): string =>
  `(${Object.entries(env)
    .map(([k, v]) => `export ${k}=${quote(v)}; `)
    .join('')}${text}
)`;

/** The command a step runs: with the task's environment and privilege. */
export function commandFor(cmd: Command, env: Record<string, string> | undefined, become: Become | undefined): Command {
  const withEnv = env ? { ...cmd, text: withEnvironment(env, cmd.text) } : cmd;
  return become ? { ...withEnv, become } : withEnv;
}

const commandOf = (ctx: ApplyContext, cmd: Command): Command => commandFor(cmd, ctx.env, ctx.become);

/** A step of a later task, sent in this task's last round trip. */
export interface AheadStep {
  item: ChainedItem;
  /** The exit codes that let the step after it run; none for a probe inside the chain (the code before it holds). */
  okCodes?: readonly number[];
}

/** A write step as a chain holds it: text only (a controller file streams on its own). */
export function chainedWrite(
  step: Extract<Step, { kind: 'write' }>,
  become: Become | undefined,
): ChainedItem | undefined {
  if (typeof step.content !== 'string') return undefined;
  return {
    write: {
      path: step.path,
      content: step.content,
      ...(step.mode ? { mode: step.mode } : {}),
      ...(become ? { become } : {}),
    },
  };
}

/** A step another can be chained after, and the exit codes that let the next one run. */
export const okCodesOf = (step: Step): readonly number[] | undefined =>
  step.kind === 'exec'
    ? step.stdin === undefined
      ? (step.okCodes ?? [0])
      : undefined
    : step.kind === 'write'
      ? [0]
      : undefined;

/**
 * The exec steps after step `i` that can go in its round trip (no stdin), each run only if the one
 * before it succeeded; their results land in `ran`. A transport that cannot chain them leaves them
 * for this loop to run, as before. When they reach the last step, the commands of the tasks ahead
 * (ctx.ahead) follow them, guarded the same way.
 */
function chainAfter(
  ctx: ApplyContext,
  steps: readonly Step[],
  i: number,
  ran: Map<number, ExecResult>,
): { followers?: Followers } {
  let after = okCodesOf(steps[i]!);
  const chain: ChainedStep[] = [];
  for (let j = i + 1; j < steps.length && after; j++) {
    const s = steps[j]!;
    if (s.kind !== 'exec' || s.stdin !== undefined) break;
    chain.push({ cmd: commandOf(ctx, s.cmd), after });
    after = okCodesOf(s);
  }
  const own = chain.length;
  const ahead = i + own === steps.length - 1 && after ? (ctx.ahead?.steps ?? []) : [];
  for (const a of ahead) {
    chain.push({ ...a.item, after: after! });
    after = a.okCodes ?? after;
  }
  if (chain.length === 0) return {};
  return {
    followers: {
      steps: chain,
      stepsDone: (results) => {
        for (const [k, r] of results.slice(0, own).entries()) if (r) ran.set(i + 1 + k, r);
        if (ahead.length > 0) ctx.ahead!.done(results.slice(own));
      },
      ...(ahead.length > 0 ? { aheadFrom: own, ...(ctx.ahead!.signal ? { cancel: ctx.ahead!.signal } : {}) } : {}),
      cmds: [],
      done: () => undefined,
    },
  };
}

/** Runs steps in order; stops at the first failure (thrown). Returns the last exec result, if any. */
export async function applySteps(ctx: ApplyContext, steps: readonly Step[]): Promise<ExecResult | undefined> {
  let transport = ctx.transport;
  let last: ExecResult | undefined;
  /** Results of steps that ran chained to an earlier one, in its round trip. */
  const ran = new Map<number, ExecResult>(ctx.sent ?? []);
  for (const [i, step] of steps.entries()) {
    const shown = shownStep(step);
    ctx.report({ type: 'step:start', task: ctx.task, host: ctx.host, step: shown });
    const started = Date.now();
    if (step.kind === 'exec') {
      const onOutput = (stream: 'stdout' | 'stderr', chunk: string) =>
        ctx.report({ type: 'output', task: ctx.task, host: ctx.host, stream, chunk });
      const early = ran.get(i);
      if (early) {
        if (early.stdout) onOutput('stdout', early.stdout);
        if (early.stderr) onOutput('stderr', early.stderr);
      }
      const result =
        early ??
        (await transport.exec(commandOf(ctx, step.cmd), {
          ...(step.stdin !== undefined ? { stdin: step.stdin } : {}),
          ...(ctx.timeoutMs ? { timeoutMs: ctx.timeoutMs } : {}),
          onOutput,
          ...chainAfter(ctx, steps, i, ran),
        }));
      last = result;
      const ok = result.code !== null && (step.okCodes ?? [0]).includes(result.code);
      ctx.report({
        type: 'step:end',
        task: ctx.task,
        host: ctx.host,
        step: shown,
        ok,
        code: result.code,
        ms: Date.now() - started,
      });
      if (!ok) throw new StepFailedError(ctx.host, step, result);
    } else if (step.kind === 'write') {
      const early = ran.get(i);
      if (early && early.code !== 0) throw new FileTransferError(ctx.host, 'write', step.path, whyFailed(early));
      if (!early)
        await transport.write(step.path, step.content, {
          ...(step.mode ? { mode: step.mode } : {}),
          ...(ctx.become ? { become: ctx.become } : {}),
          ...chainAfter(ctx, steps, i, ran),
        });
      ctx.report({ type: 'step:end', task: ctx.task, host: ctx.host, step: shown, ok: true, ms: Date.now() - started });
    } else if (step.kind === 'controller-write') {
      await writeControllerFile(step.path, Buffer.from(step.base64, 'base64'));
      ctx.report({ type: 'step:end', task: ctx.task, host: ctx.host, step: shown, ok: true, ms: Date.now() - started });
    } else {
      transport = await ctx.reconnect(step.address, step.timeoutSec);
      ctx.report({ type: 'step:end', task: ctx.task, host: ctx.host, step: shown, ok: true, ms: Date.now() - started });
    }
  }
  ctx.transport = transport;
  return last;
}
