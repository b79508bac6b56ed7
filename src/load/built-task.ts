// A task made in code (migrate's plays, gather_facts, tests) with the keyword defaults a task from YAML gets.
import type { Span } from '../errors.js';
import type { Task } from './playbook-types.js';

export function builtTask(
  name: string,
  module: string,
  params: Record<string, unknown>,
  at: Span,
  extra: Partial<Task> = {},
): Task {
  return {
    name,
    module,
    params,
    when: [],
    loopVar: 'item',
    notify: [],
    tags: [],
    ignoreErrors: false,
    noLog: false,
    vars: {},
    listen: [],
    at,
    paramAt: {},
    ...extra,
  };
}
