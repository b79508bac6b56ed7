// gather_facts: the `setup` task a play runs first, and keeping the facts any setup task returns as host vars.
import type { Play, Task } from '../load/playbook-types.js';
import { builtTask } from '../load/built-task.js';
import type { HostState } from './types.js';
import type { TaskHostContext } from './task-host.js';

/** The task gather_facts runs before the play's own (Ansible's "Gathering Facts"), with the play's privilege. */
export const factsTask = (play: Play): Task => builtTask('Gathering Facts', 'setup', {}, play.at, { tags: ['always'] });

/** A result holding `ansible_facts` (from setup) sets them on the host for the tasks after it and in hostvars. */
export function keepFacts(run: TaskHostContext, host: HostState, result: Record<string, unknown>): void {
  const facts = result.ansible_facts;
  if (!facts || typeof facts !== 'object' || Array.isArray(facts)) return;
  host.facts = { ...host.facts, ...(facts as Record<string, unknown>) };
  run.vars.hostvars[host.name] = { ...host.resolved.vars, ...host.facts };
}
