// A loaded playbook: plays and tasks as the engine runs them, each with where it was written.
import type { Span } from '../errors.js';
import type { BecomeMethod } from '../privilege.js';

/** A value as written in YAML; strings may hold Jinja2 templates, rendered per host at run time. */
export type Raw = unknown;

export interface Task {
  name: string;
  /** The module key, e.g. "command". */
  module: string;
  /** Params as written (templated per host before validation against the module's schema). */
  params: Record<string, Raw>;
  /** Expressions, each an Ansible-style condition string (all must hold). */
  when: string[];
  /** A list, or a template string rendering to a list (a mapping for with_dict). */
  loop?: Raw;
  /** Set when `with_items` (flattened one level) or `with_dict` (key/value items) gave the loop instead of `loop`. */
  loopWith?: 'items' | 'dict';
  loopVar: string;
  /** loop_control.index_var: the variable holding the item's 0-based position. */
  indexVar?: string;
  register?: string;
  notify: string[];
  tags: string[];
  ignoreErrors: boolean;
  changedWhen?: string[];
  failedWhen?: string[];
  retries?: number;
  delay?: number;
  /** Seconds each command of the task may run before it is killed and the task fails (Ansible's task `timeout`). */
  timeout?: number;
  until?: string[];
  become?: boolean | undefined;
  becomeUser?: string | undefined;
  becomeMethod?: BecomeMethod | undefined;
  noLog: boolean;
  /** Environment variables exported for the task's commands (rendered per host). */
  environment?: Record<string, Raw>;
  /** Overrides --check for this task (Ansible's check_mode keyword). */
  checkMode?: boolean;
  /** Runs on the first host of the batch only; its result is registered on every host. */
  runOnce?: boolean;
  /** Runs the task's module on this host (a template, rendered per host) with the task host's vars; `localhost` is the controller. */
  delegateTo?: string;
  /** Task-level vars. */
  vars: Record<string, Raw>;
  /** Handler-only: name matched by notify (also `listen`). */
  listen: string[];
  /** The role folder of a role's task: copy/template `src` is looked for in its files/ and templates/ first. */
  roleDir?: string;
  at: Span;
  /** Span of each param key's value, for runtime errors. */
  paramAt: Record<string, Span>;
}

/** block / rescue / always: the block's keywords are already pushed down into its tasks at load time. */
export interface Block {
  kind: 'block';
  name: string;
  block: TaskItem[];
  rescue: TaskItem[];
  always: TaskItem[];
  at: Span;
}

/** What a block, an import or the play passes down to every task inside it. */
export interface Inherited {
  when: string[];
  tags: string[];
  vars: Record<string, Raw>;
  become?: boolean;
  becomeUser?: string;
  becomeMethod?: Task['becomeMethod'];
  ignoreErrors?: boolean;
  noLog?: boolean;
  /** Environment variables exported for the commands of the tasks (play < block < task). */
  environment?: Record<string, Raw>;
  /** true: the task only plans, even in a real run; false: it runs even under --check. */
  checkMode?: boolean;
  runOnce?: boolean;
  delegateTo?: string;
  /** The role whose tasks these are: its templates/ and files/ are searched first. */
  role?: { name: string; dir: string };
}

/** include_tasks: a file of tasks read when the include runs, once per host and loop item. */
export interface Include {
  kind: 'include';
  name: string;
  /** The file as written (may be a template), relative to the including file's folder. */
  file: string;
  /** The including file's folder. */
  dir: string;
  /** The tasks of the file read at load time when its name is not a template (validated then). */
  tasks?: TaskItem[];
  when: string[];
  loop?: Raw;
  loopVar: string;
  tags: string[];
  vars: Record<string, Raw>;
  /** What the blocks around the include pass down to the included tasks. */
  parent: Inherited;
  /** include_role: the role's name (its tasks are read at load time; no "included" line, as Ansible). */
  role?: string;
  at: Span;
}

/** meta: flush_handlers (also put between pre_tasks, tasks and post_tasks). */
export interface Flush {
  kind: 'flush';
  at: Span;
}

/** What a task list holds. Tasks have no `kind`. */
export type TaskItem = Task | Block | Include | Flush;

export const isTask = (i: TaskItem): i is Task => !('kind' in i);

/** Every task of a list, through blocks and loaded includes, in order. */
export function flatTasks(items: readonly TaskItem[]): Task[] {
  return items.flatMap((i) => {
    if (isTask(i)) return [i];
    if (i.kind === 'block') return flatTasks([...i.block, ...i.rescue, ...i.always]);
    if (i.kind === 'include') return flatTasks(i.tasks ?? []);
    return [];
  });
}

export interface Play {
  name: string;
  /** Roles' defaults: below every other variable. */
  defaults?: Record<string, Raw>;
  /** Host pattern as written: "core:router:!lb", "all", "dea&stager". */
  hosts: string;
  vars: Record<string, Raw>;
  /** Batch sizes: numbers or "N%"; the last repeats. */
  serial: (number | string)[];
  maxFailPercentage?: number;
  anyErrorsFatal: boolean;
  /** 'phased' runs the task list phase by phase (default when hosts name role groups); 'inventory' keeps inventory order. */
  order?: 'phased' | 'inventory' | 'sorted' | 'reverse_inventory' | 'reverse_sorted';
  /**
   * How hosts walk the tasks: absent (linear) in lock-step per batch; 'free' each host on its own, at most
   * forks tasks at once; 'host_pinned' free with at most forks hosts in the play at once (src/engine/free.ts).
   */
  strategy?: 'free' | 'host_pinned';
  become: boolean;
  becomeUser?: string | undefined;
  becomeMethod?: BecomeMethod | undefined;
  gatherFacts: boolean;
  tags: string[];
  /** pre_tasks, tasks and post_tasks in order, with a handler flush after each non-empty section. */
  tasks: TaskItem[];
  handlers: Task[];
  at: Span;
}

export interface Playbook {
  file: string;
  /** Folder of the playbook: relative paths in copy/template resolve from here. */
  dir: string;
  plays: Play[];
  /** Source text, for code frames in diagnostics. */
  text: string;
}
