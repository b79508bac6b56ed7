// A play's `roles:`: each role's tasks, handlers, defaults and vars from the standard layout under roles/NAME.
import { existsSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { isMap, isScalar, isSeq } from 'yaml';
import type { Inherited, Task, TaskItem } from './playbook-types.js';
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
import { isTask } from './playbook-types.js';
import { loadYaml } from './source.js';

/** Keywords of a role entry; any other key is a role parameter (a variable for the role's tasks). */
export const ROLE_ENTRY_KEYS = ['role', 'name', ...['when', 'tags', 'become', 'become_user', 'vars']] as const;

export interface LoadedRoles {
  tasks: TaskItem[];
  handlers: Task[];
  /** Every role's defaults/main.yml: the lowest variables of the play. */
  defaults: Record<string, unknown>;
  /** Every role's vars/main.yml: above play vars and vars_files. */
  vars: Record<string, unknown>;
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

/** Reads `roles:` of a play; problems are reported at their node. */
export function readRoles(ctx: LoadContext, e: Entry, o: ItemOptions): LoadedRoles {
  const out: LoadedRoles = { tasks: [], handlers: [], defaults: {}, vars: {} };
  const items: YNode[] = isSeq(e.value) ? (e.value.items as YNode[]) : [e.value];
  for (const node of items) {
    const entry = readEntry(ctx, node);
    if (!entry) continue;
    const dir = findRole(ctx, entry.name);
    if (!dir) {
      report(
        ctx,
        'E_ROLE_MISSING',
        `role "${entry.name}" not found`,
        node,
        `looked for roles/${entry.name} next to the playbook`,
      );
      continue;
    }
    const own = inherit(ctx, entry.keys, o.parent);
    const parent: Inherited = { ...own, vars: { ...own.vars, ...entry.params }, role: { name: entry.name, dir } };
    Object.assign(out.defaults, readVarsFile(ctx, join(dir, 'defaults', 'main.yml')));
    Object.assign(out.vars, readVarsFile(ctx, join(dir, 'vars', 'main.yml')));
    // loadTaskFile takes a path relative to the file naming it (the playbook).
    const file = (f: string) => (existsSync(join(dir, f)) ? relative(dirname(ctx.src.file), join(dir, f)) : undefined);
    const tasks = file('tasks/main.yml');
    if (tasks) out.tasks.push(...(loadTaskFile(ctx, tasks, node, { ...o, parent }, 'roles') ?? []));
    const handlers = file('handlers/main.yml');
    if (handlers)
      out.handlers.push(
        ...(loadTaskFile(ctx, handlers, node, { ...o, handler: true, notified: [], parent }, 'roles') ?? []).filter(
          isTask,
        ),
      );
  }
  return out;
}
