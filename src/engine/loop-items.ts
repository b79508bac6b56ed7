// The items a task loops over: `loop` as given, `with_items` flattened one level, `with_dict` as key/value pairs.
import type { Task } from '../load/playbook-types.js';
import { formatSpan, StackplayError } from '../errors.js';

/** The rendered loop value turned into the list of items, as Ansible's lookup for each keyword does. */
export function loopItems(task: Task, rendered: unknown): unknown[] {
  const where = `(at ${formatSpan(task.at)})`;
  if (task.loopWith === 'dict') {
    if (!rendered || typeof rendered !== 'object' || Array.isArray(rendered))
      throw new StackplayError('E_LOOP', `with_dict expects a mapping, got ${describe(rendered)} ${where}`);
    return Object.entries(rendered).map(([key, value]) => ({ key, value }));
  }
  if (!Array.isArray(rendered))
    throw new StackplayError('E_LOOP', `loop must be a list, got ${describe(rendered)} ${where}`);
  return task.loopWith === 'items' ? rendered.flatMap((v) => (Array.isArray(v) ? v : [v])) : rendered;
}

const describe = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v);
