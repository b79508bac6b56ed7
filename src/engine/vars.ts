// The variables a task sees on a host, layered in Ansible's order, and rendering with them.
import type { Play, Task } from '../load/playbook-types.js';
import type { HostState } from './types.js';
import { renderValue } from '../template/render.js';
import { markData } from '../template/scope.js';

export interface VarSources {
  hostvars: Record<string, Record<string, unknown>>;
  extraVars: Record<string, unknown>;
  check: boolean;
  playbookDir: string;
  /** Derived cluster facts (stackato_core_ip); inventory vars of the same name win. */
  clusterVars?: Record<string, unknown>;
}

/**
 * role defaults < inventory < gathered facts < play vars < vars_files < role vars < block and task vars < registered results and set_fact
 * < include_tasks vars and loop items < extra vars (extra vars always win).
 * Registered results and loop items are data: a `{{` in them is never rendered (host output is not code).
 */
export function taskVars(
  src: VarSources,
  play: Play,
  task: Pick<Task, 'vars'>,
  host: HostState,
  loop?: Record<string, unknown>,
): Record<string, unknown> {
  const templated = {
    ...play.defaults,
    ...src.clusterVars,
    ...host.resolved.vars,
    ...host.facts,
    hostvars: src.hostvars,
    // --check itself: a task's check_mode keyword does not change it (ansible-core 2.14 does the same).
    ansible_check_mode: src.check,
    playbook_dir: src.playbookDir,
    ...play.vars,
    ...task.vars,
  };
  const data = { ...host.registered, ...host.scope, ...loop };
  const names = Object.keys(data).filter((k) => !Object.hasOwn(src.extraVars, k));
  return markData({ ...templated, ...data, ...src.extraVars }, names);
}

/**
 * Renders a value once. Vars that hold templates (play vars built from inventory vars) render
 * when a template uses them, as Ansible's lazy vars do; data vars (registered results) never do.
 */
export const renderDeep = (value: unknown, vars: Record<string, unknown>): unknown => renderValue(value, vars);
