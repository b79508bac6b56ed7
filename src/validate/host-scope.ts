// What a host's task can see at load time, layered as src/engine/vars.ts layers it at run time: values, names set only at run time, and nothing.
import type { Play, Task } from '../load/playbook-types.js';
import type { ResolvedHost } from '../inventory/types.js';
import { globalValue } from '../template/engine.js';
import { UNKNOWN, type LoadValue } from '../template/load-eval.js';
import { hasTemplate } from '../template/scope.js';
import { Undefined } from '../template/values.js';

/** A name's meaning at load: a value written in some layer, or a name that only the run gives a value. */
export type Known = { kind: 'value'; value: unknown } | { kind: 'runtime' };

/** What the checker keeps per host across tasks and plays. */
export interface HostRun {
  name: string;
  resolved: ResolvedHost;
  /** Names registered or set by set_fact so far (defined from the registering task on, even when it is skipped). */
  registered: Set<string>;
  /** Facts were gathered (gather_facts or a setup task): every `ansible_*` name is set at run time. */
  facts: boolean;
  /** A task file named by a template ran: anything may be set after it, so nothing is reported. */
  open: boolean;
}

export interface RunFacts {
  extraVars: Record<string, unknown>;
  clusterVars: Record<string, unknown>;
  check: boolean;
  playbookDir: string;
}

const LITERALS: Record<string, unknown> = {
  True: true,
  true: true,
  False: false,
  false: false,
  None: null,
  none: null,
};
/** Names the engine gives every task (src/engine/vars.ts) whose value the checker does not model. */
const RUNTIME_MAGIC = new Set(['hostvars', 'vars']);

const own = (o: Record<string, unknown> | undefined, k: string): o is Record<string, unknown> =>
  o !== undefined && Object.hasOwn(o, k);

/**
 * The lookup for one host and task: `local` are names the task itself gives at run time (loop
 * var, index var, register inside its own conditions, include vars). Order as taskVars: extra vars
 * over local and registered names, over task vars, play vars, magic vars, facts, inventory, cluster
 * vars, role defaults.
 */
export function scopeOf(
  run: RunFacts,
  play: Play,
  task: Pick<Task, 'vars'>,
  host: HostRun,
  local: ReadonlySet<string>,
): (name: string) => Known | undefined {
  const vars = host.resolved.vars;
  return (name) => {
    if (own(run.extraVars, name)) return { kind: 'value', value: run.extraVars[name] };
    if (host.open || local.has(name) || host.registered.has(name)) return { kind: 'runtime' };
    if (own(task.vars, name)) return { kind: 'value', value: task.vars[name] };
    if (own(play.vars, name)) return { kind: 'value', value: play.vars[name] };
    if (name === 'playbook_dir') return { kind: 'value', value: run.playbookDir };
    if (name === 'ansible_check_mode') return { kind: 'value', value: run.check };
    if (RUNTIME_MAGIC.has(name)) return { kind: 'runtime' };
    if (host.facts && name.startsWith('ansible_')) return { kind: 'runtime' };
    if (own(vars, name)) return { kind: 'value', value: vars[name] };
    if (own(run.clusterVars, name)) return { kind: 'value', value: run.clusterVars[name] };
    if (own(play.defaults, name)) return { kind: 'value', value: play.defaults[name] };
    const g = globalValue(name);
    if (g !== undefined) return typeof g === 'function' ? { kind: 'runtime' } : { kind: 'value', value: g };
    if (Object.hasOwn(LITERALS, name)) return { kind: 'value', value: LITERALS[name] };
    return undefined;
  };
}

const templated = new WeakMap<object, boolean>();

/** hasTemplate, remembered per object: values read at load do not change, and `groups` of 10,000 hosts is walked once. */
export function holdsTemplate(v: unknown): boolean {
  if (v === null || typeof v !== 'object') return hasTemplate(v);
  let got = templated.get(v);
  if (got === undefined) {
    got = hasTemplate(v);
    templated.set(v, got);
  }
  return got;
}

/** The value a branch condition sees: a known value, UNKNOWN (run time, or a template), or Undefined. */
export const loadValueOf =
  (scope: (name: string) => Known | undefined) =>
  (name: string): LoadValue => {
    const k = scope(name);
    if (!k) return new Undefined(name);
    if (k.kind === 'runtime' || holdsTemplate(k.value)) return UNKNOWN;
    return k.value;
  };
