// A loaded playbook: plays and tasks as the engine runs them, each with where it was written.
import type { Span } from '../errors.js';
import type { BecomeMethod } from '../privilege.js';

/** A value as written in YAML; strings may hold Handlebars templates, rendered per host at run time. */
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
  /** Task-level vars. */
  vars: Record<string, Raw>;
  /** Handler-only: name matched by notify (also `listen`). */
  listen: string[];
  at: Span;
  /** Span of each param key's value, for runtime errors. */
  paramAt: Record<string, Span>;
}

export interface Play {
  name: string;
  /** Host pattern as written: "core:router:!lb", "all", "dea&stager". */
  hosts: string;
  vars: Record<string, Raw>;
  /** Batch sizes: numbers or "N%"; the last repeats. */
  serial: (number | string)[];
  maxFailPercentage?: number;
  anyErrorsFatal: boolean;
  /** 'phased' runs the task list phase by phase (default when hosts name role groups); 'inventory' keeps inventory order. */
  order?: 'phased' | 'inventory' | 'sorted' | 'reverse_inventory' | 'reverse_sorted';
  become: boolean;
  becomeUser?: string | undefined;
  becomeMethod?: BecomeMethod | undefined;
  gatherFacts: boolean;
  tags: string[];
  tasks: Task[];
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
