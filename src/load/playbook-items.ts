// Task lists from YAML: tasks, block/rescue/always, import_tasks (read now), include_tasks and meta.
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { isMap, isScalar, isSeq } from 'yaml';
import type { Include, Inherited, TaskItem } from './playbook-types.js';
import type { Module } from '../sdk.js';
import type { Diagnostic } from '../errors.js';
import type { LoadedRoles } from './playbook-roles.js';
import { didYouMean } from '../suggest.js';
import {
  BLOCK_KEYS,
  IMPORT_KEYS,
  IMPORT_ROLE_KEYS,
  INCLUDE_KEYS,
  INCLUDE_ROLE_KEYS,
  META_ACTIONS,
  META_KEYS,
} from './playbook-keys.js';
import { loadRole } from './playbook-roles.js';
import { BECOME_METHODS } from '../privilege.js';
import {
  checkTemplates,
  readChoice,
  describeNode,
  entriesOf,
  readBool,
  readConditions,
  readEnvironment,
  readMapping,
  readString,
  readStringList,
  report,
  span,
  type Entry,
  type LoadContext,
  type YNode,
} from './playbook-node.js';
import { loadTask, readLoop, readLoopControl, type TaskOptions } from './playbook-task.js';
import { loadYaml } from './source.js';

export interface ItemOptions extends TaskOptions {
  /** Files being imported, outermost first: an import of one of them is a cycle. */
  importing: string[];
  /** Where import_role/include_role put their role's handlers, defaults and vars (the play's). */
  roles?: LoadedRoles;
}

const keysOf = (ctx: LoadContext, node: YNode): Map<string, Entry> =>
  new Map(entriesOf(ctx, node as NonNullable<YNode>).map((e) => [e.key, e]));

/** Whether a mapping has a plain key (without reporting anything: the item's own reader does). */
const hasKey = (node: YNode, key: string): boolean =>
  isMap(node) && node.items.some((p) => isScalar(p.key) && p.key.value === key);

/** Reports keys outside `allowed` for a block / import / include / meta. */
function checkKeys(ctx: LoadContext, keys: Map<string, Entry>, allowed: readonly string[], what: string): void {
  for (const [k, e] of keys) {
    if (allowed.includes(k)) continue;
    report(
      ctx,
      'E_PLAYBOOK_KEY',
      `unknown ${what} key "${k}"`,
      e.keyNode,
      didYouMean(k, allowed) ?? `${what} keys: ${allowed.join(', ')}`,
    );
  }
}

/** The parent's keywords with this node's own on top (conditions add up, vars and the rest override). */
export function inherit(ctx: LoadContext, keys: Map<string, Entry>, parent: Inherited): Inherited {
  const at = (k: string) => keys.get(k)?.value;
  const out: Inherited = { ...parent };
  if (keys.has('when')) out.when = [...parent.when, ...(readConditions(ctx, at('when'), 'when') ?? [])];
  if (keys.has('tags'))
    out.tags = [
      ...new Set([...parent.tags, ...readStringList(ctx, at('tags'), 'tags', { commas: true }).map((t) => t.value)]),
    ];
  if (keys.has('vars')) {
    checkTemplates(ctx, at('vars'));
    out.vars = { ...parent.vars, ...readMapping(ctx, at('vars'), 'vars') };
  }
  const bool = (k: string) => readBool(ctx, at(k), k);
  if (keys.has('become')) out.become = bool('become');
  if (keys.has('become_user')) out.becomeUser = readString(ctx, at('become_user'), 'become_user');
  if (keys.has('become_method'))
    out.becomeMethod = readChoice(ctx, at('become_method'), 'become_method', BECOME_METHODS);
  if (keys.has('ignore_errors')) out.ignoreErrors = bool('ignore_errors');
  if (keys.has('no_log')) out.noLog = bool('no_log');
  if (keys.has('environment')) {
    checkTemplates(ctx, at('environment'));
    out.environment = { ...parent.environment, ...readEnvironment(ctx, at('environment')) };
  }
  if (keys.has('check_mode')) out.checkMode = bool('check_mode');
  if (keys.has('run_once')) out.runOnce = bool('run_once');
  if (keys.has('delegate_to')) {
    checkTemplates(ctx, at('delegate_to'));
    out.delegateTo = readString(ctx, at('delegate_to'), 'delegate_to');
  }
  return out;
}

/** A list of task items (a play's tasks, a block's section), or nothing. */
export function section(ctx: LoadContext, e: Entry | undefined, o: ItemOptions): TaskItem[] {
  if (!e || (isScalar(e.value) && e.value.value === null)) return [];
  if (!isSeq(e.value)) {
    report(
      ctx,
      'E_PLAYBOOK_TYPE',
      `${e.key}: expected a list of tasks, got ${describeNode(e.value)}`,
      e.value ?? e.keyNode,
      'start each task with "- name: ..."',
    );
    return [];
  }
  return loadItems(ctx, e.value.items as YNode[], o);
}

function loadBlock(ctx: LoadContext, node: YNode, keys: Map<string, Entry>, o: ItemOptions): TaskItem {
  checkKeys(ctx, keys, BLOCK_KEYS, 'block');
  const inner = { ...o, parent: inherit(ctx, keys, o.parent) };
  const name = keys.has('name') ? readString(ctx, keys.get('name')!.value, 'name') : undefined;
  return {
    kind: 'block',
    name: name ?? 'block',
    block: section(ctx, keys.get('block'), inner),
    rescue: section(ctx, keys.get('rescue'), inner),
    always: section(ctx, keys.get('always'), inner),
    at: span(ctx, node),
  };
}

/** The file an import/include names: a string, or `file:` in a mapping. */
function fileOf(ctx: LoadContext, e: Entry): { file: string; node: YNode } | undefined {
  if (isMap(e.value)) {
    const file = keysOf(ctx, e.value).get('file');
    if (file) {
      const f = readString(ctx, file.value, `${e.key}.file`);
      return f === undefined ? undefined : { file: f, node: file.value };
    }
  }
  const f = isScalar(e.value) && typeof e.value.value === 'string' && e.value.value.trim() ? e.value.value : undefined;
  if (f === undefined) {
    report(
      ctx,
      'E_PLAYBOOK_TYPE',
      `${e.key}: expected a file name, got ${describeNode(e.value)}`,
      e.value ?? e.keyNode,
      `e.g. "${e.key}: tasks/setup.yml"`,
    );
    return undefined;
  }
  return { file: f.trim(), node: e.value };
}

/**
 * Reads a task file (import_tasks, and include_tasks whose name is not a template) as task items;
 * its problems are diagnostics at their place in that file.
 */
export function loadTaskFile(
  ctx: LoadContext,
  file: string,
  at: YNode,
  o: ItemOptions,
  what: string,
): TaskItem[] | undefined {
  // Shown as the user wrote the playbook's path (relative stays relative); compared absolute.
  const path = isAbsolute(file) ? file : join(dirname(ctx.src.file), file);
  if (o.importing.includes(resolve(path))) {
    report(ctx, 'E_IMPORT_CYCLE', `${what}: ${file} includes itself`, at, 'break the cycle of imports');
    return undefined;
  }
  const loaded = loadYaml(path);
  if (!loaded.src) {
    const why = loaded.diagnostics[0]?.message.split(': ').at(-1) ?? 'unreadable';
    report(ctx, 'E_IMPORT_MISSING', `${what}: cannot read ${file}: ${why}`, at, 'the path is relative to this file');
    return undefined;
  }
  ctx.diagnostics.push(...loaded.diagnostics);
  const sub: LoadContext = { src: loaded.src, diagnostics: ctx.diagnostics };
  const root = loaded.src.doc.contents as YNode;
  if (isScalar(root) && (root.value === null || root.value === '')) return [];
  if (!isSeq(root)) {
    report(sub, 'E_PLAYBOOK_SHAPE', `${path}: a task file is a list of tasks, got ${describeNode(root)}`, root);
    return undefined;
  }
  return loadItems(sub, root.items as YNode[], { ...o, importing: [...o.importing, resolve(path)] });
}

function loadImport(ctx: LoadContext, keys: Map<string, Entry>, o: ItemOptions): TaskItem[] {
  checkKeys(ctx, keys, IMPORT_KEYS, 'import_tasks');
  const f = fileOf(ctx, keys.get('import_tasks')!);
  if (!f) return [];
  if (f.file.includes('{{')) {
    report(ctx, 'E_IMPORT_TEMPLATE', 'import_tasks: a template in the file name', f.node, 'use include_tasks');
    return [];
  }
  return loadTaskFile(ctx, f.file, f.node, { ...o, parent: inherit(ctx, keys, o.parent) }, 'import_tasks') ?? [];
}

/** The role an import_role/include_role names: `{ name: web }` (or just `web`). */
function roleOf(ctx: LoadContext, e: Entry): { name: string; node: YNode } | undefined {
  const n = isMap(e.value) ? keysOf(ctx, e.value).get('name') : { value: e.value };
  const name = n && isScalar(n.value) && typeof n.value.value === 'string' ? n.value.value.trim() : '';
  if (!name || name.includes('{{')) {
    report(
      ctx,
      'E_ROLE',
      `${e.key}: expected "name: ROLE" (a role name, not a template)`,
      e.value ?? e.keyNode,
      `e.g. "${e.key}: { name: web }"`,
    );
    return undefined;
  }
  return { name, node: n!.value };
}

/** import_role: the role's tasks in place, read now, with this item's keywords passed down. */
function loadImportRole(ctx: LoadContext, keys: Map<string, Entry>, o: ItemOptions): TaskItem[] {
  checkKeys(ctx, keys, IMPORT_ROLE_KEYS, 'import_role');
  const r = roleOf(ctx, keys.get('import_role')!);
  if (!r) return [];
  if (!o.roles) {
    report(
      ctx,
      'E_UNSUPPORTED',
      'import_role in a file that include_tasks reads at run time',
      r.node,
      'use import_tasks for that file',
    );
    return [];
  }
  return loadRole(ctx, r.name, r.node, inherit(ctx, keys, o.parent), o, o.roles) ?? [];
}

function loadInclude(ctx: LoadContext, node: YNode, keys: Map<string, Entry>, o: ItemOptions): Include | undefined {
  const isRole = keys.has('include_role');
  checkKeys(ctx, keys, isRole ? INCLUDE_ROLE_KEYS : INCLUDE_KEYS, isRole ? 'include_role' : 'include_tasks');
  const role = isRole ? roleOf(ctx, keys.get('include_role')!) : undefined;
  if (isRole && (!role || !o.roles)) {
    if (role)
      report(
        ctx,
        'E_UNSUPPORTED',
        'include_role in a file that include_tasks reads at run time',
        role.node,
        'use import_tasks for that file',
      );
    return undefined;
  }
  const roleTasks = role ? loadRole(ctx, role.name, role.node, o.parent, o, o.roles!) : undefined;
  if (role && !roleTasks) return undefined;
  const f = role ? { file: role.name, node: role.node } : fileOf(ctx, keys.get('include_tasks')!);
  if (!f) return undefined;
  const at = (k: string) => keys.get(k)?.value;
  const vars = keys.has('vars') ? readMapping(ctx, at('vars'), 'vars') : undefined;
  if (keys.has('vars')) checkTemplates(ctx, at('vars'));
  checkTemplates(ctx, f.node);
  const tasks =
    roleTasks ?? (f.file.includes('{{') ? undefined : loadTaskFile(ctx, f.file, f.node, o, 'include_tasks'));
  const name = keys.has('name')
    ? readString(ctx, at('name'), 'name')
    : role
      ? `include_role : ${role.name}`
      : undefined;
  const { loop } = readLoop(ctx, keys);
  return {
    kind: 'include',
    name: name ?? 'include_tasks',
    file: f.file,
    dir: dirname(ctx.src.file),
    ...(tasks ? { tasks } : {}),
    when: [...o.parent.when, ...(keys.has('when') ? (readConditions(ctx, at('when'), 'when') ?? []) : [])],
    ...(loop !== undefined ? { loop } : {}),
    loopVar: readLoopControl(ctx, keys.get('loop_control')).loopVar,
    tags: [
      ...new Set([
        ...o.parent.tags,
        ...(keys.has('tags') ? readStringList(ctx, at('tags'), 'tags', { commas: true }).map((t) => t.value) : []),
      ]),
    ],
    vars: vars ?? {},
    parent: o.parent,
    ...(role ? { role: role.name } : {}),
    at: span(ctx, node),
  };
}

/** Reads an include_tasks file whose name only a run could know; `items` only when it has no errors. */
export function loadIncludedFile(
  path: string,
  modules: ReadonlyMap<string, Module>,
  parent: Inherited,
): { items?: TaskItem[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  // Problems reading the file itself are reported at its first line: there is no including node to point at.
  const ctx = { src: { file: path }, diagnostics } as unknown as LoadContext;
  const items = loadTaskFile(
    ctx,
    path,
    undefined,
    { modules, handler: false, parent, notified: [], importing: [] },
    'include_tasks',
  );
  return diagnostics.some((d) => d.severity === 'error') || !items ? { diagnostics } : { items, diagnostics };
}

function loadMeta(ctx: LoadContext, node: YNode, keys: Map<string, Entry>): TaskItem | undefined {
  checkKeys(ctx, keys, META_KEYS, 'meta');
  const e = keys.get('meta')!;
  const action = readString(ctx, e.value, 'meta');
  if (action === undefined) return undefined;
  if (!(META_ACTIONS as readonly string[]).includes(action)) {
    report(
      ctx,
      'E_UNSUPPORTED',
      `meta: "${action}" is not supported`,
      e.value,
      didYouMean(action, META_ACTIONS) ?? `meta actions: ${META_ACTIONS.join(', ')}`,
    );
    return undefined;
  }
  return { kind: 'flush', at: span(ctx, node) };
}

/** Reads a list of task items; problems are reported and the item left out. */
export function loadItems(ctx: LoadContext, nodes: YNode[], o: ItemOptions): TaskItem[] {
  const out: TaskItem[] = [];
  for (const node of nodes) {
    const special = [
      'block',
      'rescue',
      'always',
      'import_tasks',
      'include_tasks',
      'import_role',
      'include_role',
      ...(o.handler ? [] : ['meta']),
    ];
    const keys = special.some((k) => hasKey(node, k)) ? keysOf(ctx, node) : undefined;
    const dynamic =
      keys && o.handler
        ? (['block', 'include_tasks', 'include_role', 'import_role'] as const).find((k) => keys.has(k))
        : undefined;
    if (dynamic)
      report(
        ctx,
        'E_UNSUPPORTED',
        `"${dynamic}" in handlers is not supported`,
        keys!.get(dynamic)!.keyNode,
        'list the handler tasks one by one (import_tasks works)',
      );
    else if (keys?.has('block')) out.push(loadBlock(ctx, node, keys, o));
    else if (keys && (keys.has('rescue') || keys.has('always'))) {
      const e = keys.get('rescue') ?? keys.get('always')!;
      report(
        ctx,
        'E_BLOCK_SECTION',
        `"${e.key}" without a "block"`,
        e.keyNode,
        'put the tasks that may fail under "block:" in the same item',
      );
    } else if (keys?.has('import_tasks')) out.push(...loadImport(ctx, keys, o));
    else if (keys?.has('import_role')) out.push(...loadImportRole(ctx, keys, o));
    else if (keys?.has('include_tasks') || keys?.has('include_role')) {
      const inc = loadInclude(ctx, node, keys, o);
      if (inc) out.push(inc);
    } else if (keys?.has('meta')) {
      const m = loadMeta(ctx, node, keys);
      if (m) out.push(m);
    } else {
      const t = loadTask(ctx, node, o);
      if (t) out.push(t);
    }
  }
  return out;
}
