// Module tests see a host the way the engine shows it: the engine's buildHostView and applySteps, nothing else.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { applySteps } from '../../src/engine/apply.js';
import { buildHostView } from '../../src/engine/host-view.js';
import type { HostView, Module, Plan } from '../../src/sdk.js';
import type { ExecResult, Transport } from '../../src/transport/types.js';

export interface HostViewOptions {
  name?: string;
  /** The playbook folder readLocal() reads from (controller files). */
  playbookDir?: string;
}

/** The engine's host view of `transport` (none for controller-only modules, as the engine gives them). */
export function hostViewOf(
  transport: Transport | undefined,
  vars: Record<string, unknown> = {},
  o: HostViewOptions = {},
): HostView {
  return buildHostView({
    name: o.name ?? transport?.host ?? 'controller',
    vars,
    playbookDir: o.playbookDir ?? '/nonexistent-playbook-dir',
    ...(transport ? { transport } : {}),
  });
}

/** A playbook folder holding `files` (relative path -> content); `remove` deletes it. */
export function playbookFolder(files: Record<string, string>): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'stackplay-playbook-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Runs a plan's steps with the engine's applySteps; a failed plan or step throws. */
export async function applyPlan(transport: Transport, plan: Plan): Promise<ExecResult | undefined> {
  if (plan.fail) throw new Error(`plan failed: ${plan.fail}`);
  return applySteps(
    {
      host: transport.host,
      task: { play: 0, index: 0, name: 'test', module: 'test' },
      transport,
      become: undefined,
      report: () => {},
      // The test host stays the same host whatever address a reconnect step names.
      reconnect: () => Promise.resolve(transport),
    },
    plan.steps,
  );
}

/** Validates params, then gather + plan, as the engine does for one task on one host. */
export async function planOn(
  module: Module,
  transport: Transport | undefined,
  params: unknown,
  vars: Record<string, unknown> = {},
  o: HostViewOptions = {},
): Promise<Plan> {
  const parsed: unknown = module.params.parse(params);
  const facts = await module.gather(hostViewOf(transport, vars, o), parsed);
  return module.plan(facts, parsed);
}
