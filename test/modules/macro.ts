// The table-driven module test: host state + params -> expected plan, then apply and check the re-plan is empty.
// The host is a sandbox (real sh, real files; root only), seen through the engine's own host view.
import test, { type ExecutionContext } from 'ava';
import { readFileSync } from 'node:fs';
import { sumOf, type Module, type Plan, type Step } from '../../src/sdk.js';
import { applyPlan, hostViewOf, playbookFolder } from '../helpers/host-view.js';
import { Sandbox, sandboxSkipReason, type HostState } from '../helpers/sandbox.js';

/** An expected step: its title, or title plus the command's display text (exec) / fields (write). */
export type StepSpec =
  | string
  | {
      title: string;
      cmd?: string;
      text?: string;
      stdin?: string;
      before?: string | null;
      after?: string;
      mode?: string;
      secret?: boolean;
      readOnly?: boolean;
    };

export interface Case {
  title: string;
  params: Record<string, unknown>;
  /** The host's state (files, dirs, links, listening ports, login user). */
  host?: HostState;
  vars?: Record<string, unknown>;
  /** Controller files for readLocal(). */
  local?: Record<string, string>;
  steps?: StepSpec[];
  note?: string | RegExp;
  fail?: string | RegExp;
  data?: Record<string, unknown>;
  /** Apply and re-plan (default: when there are steps and the module is idempotent). */
  converge?: boolean;
  /** Apply (and run `after`) without expecting convergence: command and shell without guards. */
  applyOnly?: boolean;
  /** Runs after planning, before applying (e.g. the awaited port opens). */
  beforeApply?: (host: Sandbox) => void | Promise<void>;
  /** Applying must fail with this message (and then there is no re-plan). */
  applyFails?: RegExp;
  /** Assertions on the host after apply. */
  after?: (t: ExecutionContext, host: Sandbox) => void;
}

const matchText = (t: ExecutionContext, actual: string | undefined, want: string | RegExp, what: string) => {
  if (want instanceof RegExp) t.regex(actual ?? '', want, what);
  else t.is(actual, want, what);
};

function checkStep(t: ExecutionContext, step: Step | undefined, spec: StepSpec, i: number): void {
  const s = typeof spec === 'string' ? { title: spec } : spec;
  t.is(step?.title, s.title, `step ${i} title`);
  if (!step) return;
  if (step.kind === 'exec') {
    if (s.cmd !== undefined) t.is(step.cmd.display, s.cmd, `step ${i} command`);
    if (s.text !== undefined) t.is(step.cmd.text, s.text, `step ${i} command text`);
    if (s.stdin !== undefined) t.is(step.stdin, s.stdin, `step ${i} stdin`);
    if (s.readOnly !== undefined) t.is(step.cmd.readOnly, s.readOnly, `step ${i} readOnly`);
  } else if (step.kind === 'write') {
    // A write names what is there by size and sha256, and its content by text or controller file.
    if (s.before !== undefined)
      t.deepEqual(step.before, s.before === null ? null : sumOf(s.before), `step ${i} before`);
    const content = typeof step.content === 'string' ? step.content : readFileSync(step.content.file, 'utf8');
    if (s.after !== undefined) t.is(content, s.after, `step ${i} after`);
    if (s.mode !== undefined) t.is(step.mode, s.mode, `step ${i} mode`);
    if (s.secret !== undefined) t.is(step.secret === true, s.secret, `step ${i} secret`);
  }
}

async function plan(
  module: Module,
  host: Sandbox | undefined,
  params: unknown,
  c: Case,
  playbookDir: string | undefined,
  t: ExecutionContext,
): Promise<Plan> {
  const view = hostViewOf(host?.transport, c.vars ?? {}, playbookDir ? { playbookDir } : {});
  const facts = await module.gather(view, params);
  const p = module.plan(facts, params);
  t.deepEqual(module.plan(facts, params), p, 'plan() is deterministic');
  return p;
}

/** One row of a module's table. A controller-only module gets no host at all, as from the engine. */
export const planCase = test.macro({
  async exec(t, module: Module, c: Case) {
    const host = module.local ? undefined : await Sandbox.open(c.host ?? {});
    if (host) t.teardown(() => host.close());
    const playbook = c.local ? playbookFolder(c.local) : undefined;
    if (playbook) t.teardown(playbook.remove);
    const params = module.params.parse(c.params);
    const before = host?.snapshot();
    const p = await plan(module, host, params, c, playbook?.dir, t);
    if (host) {
      t.deepEqual(host.changes(), [], 'gather only probes');
      t.deepEqual(host.snapshot(), before, 'probes are read-only');
    }
    t.deepEqual(
      p.steps.map((s) => s.title),
      (c.steps ?? []).map((s) => (typeof s === 'string' ? s : s.title)),
      'step titles',
    );
    for (const [i, s] of (c.steps ?? []).entries()) checkStep(t, p.steps[i], s, i);
    if (c.note !== undefined) matchText(t, p.note, c.note, 'note');
    if (c.fail !== undefined) matchText(t, p.fail, c.fail, 'fail');
    else t.is(p.fail, undefined, 'no failure');
    if (c.data !== undefined) t.deepEqual(p.data, c.data, 'data');
    const converge = c.converge ?? (p.steps.length > 0 && module.idempotent !== false);
    if (!converge && !c.applyFails && !c.applyOnly) return;
    if (!host) throw new Error('a controller-only module planned steps');
    await c.beforeApply?.(host);
    if (c.applyFails) {
      await t.throwsAsync(applyPlan(host.transport, p), { message: c.applyFails });
      return;
    }
    await applyPlan(host.transport, p);
    c.after?.(t, host);
    if (c.applyOnly) return;
    const again = await plan(module, host, params, c, playbook?.dir, t);
    t.deepEqual(
      again.steps.map((s) => s.title),
      [],
      'converged: the re-plan is empty',
    );
    t.is(again.fail, undefined, 'converged: the re-plan does not fail');
  },
  title: (provided, module: Module, c: Case) => `${module.name}: ${provided ?? c.title}`,
});

/** Params validation: `want` true for valid, or a regex the first issue's message must match. */
export const paramsCase = test.macro({
  exec(t, module: Module, params: Record<string, unknown>, want: true | RegExp) {
    const r = module.params.safeParse(params);
    if (want === true) {
      t.true(r.success, r.success ? '' : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    } else {
      t.false(r.success, 'params should be refused');
      if (!r.success) t.regex(r.error.issues.map((i) => i.message).join('; '), want);
    }
  },
  title: (provided, module: Module, params: Record<string, unknown>, want: true | RegExp) =>
    `${module.name} params ${JSON.stringify(params)} ${want === true ? 'accepted' : `refused (${provided ?? want.source})`}`,
});

/** Runs every row of a table as its own test. */
/** Runs every row of a table as its own test; rows that need a host are skipped, saying why, where there can be no sandbox. */
export function table(module: Module, cases: Case[]): void {
  for (const c of cases) {
    if (module.local || !sandboxSkipReason) test(planCase, module, c);
    else test.skip(`${c.title} (${sandboxSkipReason})`, planCase, module, c);
  }
}
