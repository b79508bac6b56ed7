// The variables a task sees on a host, layered in Ansible's order, and rendering with them.
import type { Play, Task } from '../load/playbook-types.js';
import type { HostState } from './types.js';
import { renderValue } from '../template/render.js';

export interface VarSources {
  hostvars: Record<string, Record<string, unknown>>;
  extraVars: Record<string, unknown>;
  check: boolean;
  playbookDir: string;
  /** Derived cluster facts (stackato_core_ip); inventory vars of the same name win. */
  clusterVars?: Record<string, unknown>;
}

/** inventory < facts < play vars < task vars < registered results < extra vars (extra vars always win). */
export function taskVars(
  src: VarSources,
  play: Play,
  task: Task,
  host: HostState,
  loop?: Record<string, unknown>,
): Record<string, unknown> {
  return {
    ...src.clusterVars,
    ...host.resolved.vars,
    ...host.facts,
    hostvars: src.hostvars,
    ansible_check_mode: src.check,
    playbook_dir: src.playbookDir,
    ...play.vars,
    ...task.vars,
    ...host.registered,
    ...loop,
    ...src.extraVars,
  };
}

const hasTemplate = (v: unknown): boolean => {
  if (typeof v === 'string') return v.includes('{{');
  if (Array.isArray(v)) return v.some(hasTemplate);
  if (v && typeof v === 'object') return Object.values(v).some(hasTemplate);
  return false;
};

/**
 * Renders a value; vars may themselves hold templates (play vars built from inventory vars),
 * so rendering repeats until no template is left, a few levels deep, as Ansible's lazy vars do.
 */
export function renderDeep(value: unknown, vars: Record<string, unknown>): unknown {
  let out = value;
  for (let i = 0; i < 4 && hasTemplate(out); i++) out = renderValue(out, vars);
  return out;
}
