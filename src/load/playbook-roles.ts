// A play's `roles:`: each role's tasks, handlers, defaults and vars from the standard layout under roles/NAME.
import { existsSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { isMap, isScalar, isSeq } from 'yaml';
import { isTask, type Inherited, type Task, type TaskItem } from './playbook-types.js';
import {
  describeNode,
  entriesOf,
  readMapping,
  report,
  type Entry,
  type LoadContext,
  type YNode,
} from './playbook-node.js';
import { inherit, loadTaskFile, type ItemOptions } from './playbook-items.js';
import { loadYaml } from './source.js';

/** Keywords of a role entry; any other key is a role parameter (a variable for the role's tasks). */
export const ROLE_ENTRY_KEYS = ['role', 'name', ...['when', 'tags', 'become', 'become_user', 'vars']] as const;

/** What the roles of a play bring: `roles:` tasks, and every role's handlers, defaults and vars (import/include_role too). */
export interface LoadedRoles {
  tasks: TaskItem[];
  handlers: Task[];
  /** Every role's defaults/main.yml: the lowest variables of the play. */
  defaults: Record<string, unknown>;
  /** Every role's vars/main.yml: above play vars and vars_files. */
  vars: Record<string, unknown>;
  /** Role folders already read: a role named twice brings its handlers, defaults and vars once. */
  seen: Set<string>;
}

const isDir = (p: string) => existsSync(p) && statSync(p).isDirectory();

/** roles/NAME next to the playbook, else NAME itself (a path), as Ansible looks first. */
function findRole(ctx: LoadContext, name: string): string | undefined {
  const base = dirname(ctx.src.file);
  return [join(base, 'roles', name), join(base, name)].find(isDir);
}

/** A role's vars or defaults file: its mapping ({} when absent). */
function readVarsFile(ctx: LoadContext, path: string): Record<string, unknown> {
  if (!existsSync(path)) return {};
  const loaded = loadYaml(path);
  ctx.diagnostics.push(...loaded.diagnostics);
  if (!loaded.src) return {};
  const sub: LoadContext = { src: loaded.src, diagnostics: ctx.diagnostics };
  return readMapping(sub, loaded.src.doc.contents as YNode, path) ?? {};
}

/** The role's name and the rest of its entry: `- web` or `- { role: web, when: ..., port: 80 }`. */
function readEntry(
  ctx: LoadContext,
  node: YNode,
): { name: string; keys: Map<string, Entry>; params: Record<string, unknown> } | undefined {
  if (isScalar(node) && typeof node.value === 'string' && node.value.trim())
    return { name: node.value.trim(), keys: new Map(), params: {} };
  if (!isMap(node)) {
    report(
      ctx,
      'E_PLAYBOOK_TYPE',
      `roles: expected a role name or a mapping, got ${describeNode(node)}`,
      node,
      'e.g. "roles: [web]"',
    );
    return undefined;
  }
  const keys = new Map<string, Entry>();
  const params: Record<string, unknown> = {};
  for (const e of entriesOf(ctx, node)) {
    if ((ROLE_ENTRY_KEYS as readonly string[]).includes(e.key)) keys.set(e.key, e);
    else params[e.key] = e.value && 'toJS' in e.value ? e.value.toJS(ctx.src.doc) : null;
  }
  const e = keys.get('role') ?? keys.get('name');
  const name = e && isScalar(e.value) && typeof e.value.value === 'string' ? e.value.value.trim() : '';
  if (!name) {
    report(ctx, 'E_ROLE', 'roles: an entry needs "role: NAME"', node, 'e.g. "- { role: web, when: x }"');
    return undefined;
  }
  keys.delete('role');
  keys.delete('name');
  return { name, keys, params };
}

/**
 * Loads one role: its tasks (returned, with `parent` passed down), and its handlers, defaults and
 * vars into `into`. Undefined when it is not found (reported at `node`).
 */
export function loadRole(
  ctx: LoadContext,
  name: string,
  node: YNode,
  parent: Inherited,
  o: ItemOptions,
  into: LoadedRoles,
): TaskItem[] | undefined {
  const dir = findRole(ctx, name);
  if (!dir) {
    report(ctx, 'E_ROLE_MISSING', `role "${name}" not found`, node, `looked for roles/${name} next to the playbook`);
    return undefined;
  }
  const inRole: Inherited = { ...parent, role: { name, dir } };
  // loadTaskFile takes a path relative to the file naming it.
  const file = (f: string) => (existsSync(join(dir, f)) ? relative(dirname(ctx.src.file), join(dir, f)) : undefined);
  const first = !into.seen.has(dir);
  into.seen.add(dir);
  if (first) Object.assign(into.defaults, readVarsFile(ctx, join(dir, 'defaults', 'main.yml')));
  if (first) Object.assign(into.vars, readVarsFile(ctx, join(dir, 'vars', 'main.yml')));
  const handlers = first ? file('handlers/main.yml') : undefined;
  if (handlers)
    into.handlers.push(
      ...(
        loadTaskFile(ctx, handlers, node, { ...o, handler: true, notified: [], parent: inRole }, 'roles') ?? []
      ).filter(isTask),
    );
  const tasks = file('tasks/main.yml');
  return tasks ? (loadTaskFile(ctx, tasks, node, { ...o, parent: inRole }, 'roles') ?? []) : [];
}

/** Reads `roles:` of a play into `into`; problems are reported at their node. */
export function readRoles(ctx: LoadContext, e: Entry, o: ItemOptions, into: LoadedRoles): void {
  const items: YNode[] = isSeq(e.value) ? (e.value.items as YNode[]) : [e.value];
  for (const node of items) {
    const entry = readEntry(ctx, node);
    if (!entry) continue;
    const own = inherit(ctx, entry.keys, o.parent);
    const parent: Inherited = { ...own, vars: { ...own.vars, ...entry.params } };
    into.tasks.push(...(loadRole(ctx, entry.name, node, parent, o, into) ?? []));
  }
}
