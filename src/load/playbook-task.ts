// One task (or handler) from YAML: its module key and params, keywords, and every problem found.
import { isMap, isScalar, isSeq, type Node } from 'yaml';
import type { Module } from '../sdk.js';
import type { Inherited, Task } from './playbook-types.js';
import { didYouMean } from '../suggest.js';
import { BECOME_METHODS } from '../privilege.js';
import { HANDLER_KEYS, TASK_KEYS, UNSUPPORTED } from './playbook-keys.js';
import {
  checkTemplates,
  describeNode,
  entriesOf,
  readBool,
  readChoice,
  readConditions,
  readInt,
  readMapping,
  readString,
  readStringList,
  report,
  span,
  type Entry,
  type LoadContext,
  type YNode,
} from './playbook-node.js';
import { defaultTaskName, loadParams } from './playbook-params.js';
import { inherit } from './playbook-items.js';

/** environment, check_mode, run_once and delegate_to: the task's own over what its block or play passed down. */
function keywordsOver(ctx: LoadContext, keys: Map<string, Entry>, parent: Inherited): Partial<Task> {
  const own = new Map([...keys].filter(([k]) => ['environment', 'check_mode', 'run_once', 'delegate_to'].includes(k)));
  const { environment, checkMode, runOnce, delegateTo } = inherit(ctx, own, {
    ...parent,
    when: [],
    tags: [],
    vars: {},
  });
  return {
    ...(environment && Object.keys(environment).length ? { environment } : {}),
    ...(checkMode !== undefined ? { checkMode } : {}),
    ...(runOnce ? { runOnce } : {}),
    ...(delegateTo ? { delegateTo } : {}),
  };
}

export interface TaskOptions {
  modules: ReadonlyMap<string, Module>;
  handler: boolean;
  /** What the play, blocks and imports around the task pass down to it. */
  parent: Inherited;
  /** Nodes of `notify` items, checked against the handlers once the play is read. */
  notified: { name: string; node: Node }[];
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Sorts a task's keys into keywords, its module, unsupported and unknown keys (reported). */
function sortKeys(
  ctx: LoadContext,
  node: Node,
  entries: Entry[],
  o: TaskOptions,
): { keys: Map<string, Entry>; module?: Entry } {
  const keywords: readonly string[] = o.handler ? HANDLER_KEYS : TASK_KEYS;
  const keys = new Map<string, Entry>();
  const modules: Entry[] = [];
  const unknown: Entry[] = [];
  let unsupported = false;
  for (const e of entries) {
    if (keywords.includes(e.key)) keys.set(e.key, e);
    else if (o.modules.has(e.key)) modules.push(e);
    else if (Object.hasOwn(UNSUPPORTED, e.key)) {
      unsupported = true;
      report(ctx, 'E_UNSUPPORTED', `"${e.key}" is not supported yet`, e.keyNode, UNSUPPORTED[e.key]);
    } else if (e.key === 'listen')
      report(
        ctx,
        'E_PLAYBOOK_KEY',
        '"listen" is only for handlers',
        e.keyNode,
        'move the task under "handlers:" or use its name in notify',
      );
    else unknown.push(e);
  }
  for (const extra of modules.slice(1)) {
    report(
      ctx,
      'E_TASK_MODULES',
      `task has more than one module: "${modules[0]!.key}" and "${extra.key}"`,
      extra.keyNode,
      'split it into one task per module',
    );
  }
  for (const u of unknown) {
    const keyword = didYouMean(u.key, keywords);
    if (keyword || modules.length > 0) {
      report(
        ctx,
        'E_PLAYBOOK_KEY',
        `unknown ${o.handler ? 'handler' : 'task'} key "${u.key}"`,
        u.keyNode,
        keyword ?? didYouMean(u.key, o.modules.keys()) ?? `task keys: ${keywords.join(', ')}`,
      );
    } else {
      report(
        ctx,
        'E_UNKNOWN_MODULE',
        `unknown module "${u.key}"`,
        u.keyNode,
        didYouMean(u.key, o.modules.keys()) ?? 'run `stackplay modules` to list the modules',
      );
    }
  }
  if (modules.length === 0 && unknown.length === 0 && !unsupported) {
    const name = keys.get('name');
    const called = name && isScalar(name.value) ? ` "${String(name.value.value)}"` : '';
    report(
      ctx,
      'E_TASK_NO_MODULE',
      `task${called} has no module`,
      node,
      'add one module key, e.g. "command: uptime" (`stackplay modules` lists them)',
    );
  }
  return modules[0] ? { keys, module: modules[0] } : { keys };
}

const LOOP_KEYS = { loop: undefined, with_items: 'items', with_dict: 'dict' } as const;

/** The task's loop and which keyword gave it; a task has at most one. */
export function readLoop(ctx: LoadContext, keys: Map<string, Entry>): { loop?: unknown; loopWith?: Task['loopWith'] } {
  const given = Object.keys(LOOP_KEYS)
    .map((k) => keys.get(k))
    .filter((e): e is Entry => e !== undefined);
  for (const extra of given.slice(1))
    report(
      ctx,
      'E_TASK_LOOP',
      `a task has one of "loop", "with_items" or "with_dict", not both "${given[0]!.key}" and "${extra.key}"`,
      extra.keyNode,
      `keep "${given[0]!.key}"`,
    );
  const e = given[0];
  if (!e) return {};
  const loopWith = LOOP_KEYS[e.key as keyof typeof LOOP_KEYS];
  checkTemplates(ctx, e.value);
  if (loopWith === 'dict' ? isMap(e.value) : isSeq(e.value)) return { loop: e.value!.toJS(ctx.src.doc), loopWith };
  if (isScalar(e.value) && typeof e.value.value === 'string' && e.value.value.includes('{{'))
    return { loop: e.value.value, loopWith };
  const want = loopWith === 'dict' ? 'a mapping' : 'a list';
  report(
    ctx,
    'E_PLAYBOOK_TYPE',
    `${e.key}: expected ${want} or a template giving one ("{{ servers }}"), got ${describeNode(e.value)}`,
    e.value ?? e.keyNode,
    loopWith === 'dict'
      ? 'write a YAML mapping (a: 1) or a template naming a dict var'
      : 'write a YAML list (- a) or a template naming a list var',
  );
  return {};
}

const LOOP_CONTROL_KEYS = ['loop_var', 'index_var', 'label'];

/** A loop_control variable name (loop_var, index_var), reported when it is not one. */
function readVarName(ctx: LoadContext, c: Entry): string | undefined {
  const v = readString(ctx, c.value, `loop_control.${c.key}`);
  if (v === undefined || IDENT.test(v)) return v;
  report(
    ctx,
    'E_PLAYBOOK_TYPE',
    `loop_control.${c.key}: "${v}" is not a variable name`,
    c.value,
    'use letters, digits and _',
  );
  return undefined;
}

export function readLoopControl(ctx: LoadContext, e: Entry | undefined): { loopVar: string; indexVar?: string } {
  if (!e) return { loopVar: 'item' };
  if (!isMap(e.value)) {
    report(
      ctx,
      'E_PLAYBOOK_TYPE',
      `loop_control: expected a mapping, got ${describeNode(e.value)}`,
      e.value ?? e.keyNode,
      'write loop_control: { loop_var: name }',
    );
    return { loopVar: 'item' };
  }
  const out: { loopVar: string; indexVar?: string } = { loopVar: 'item' };
  for (const c of entriesOf(ctx, e.value)) {
    if (c.key === 'loop_var') out.loopVar = readVarName(ctx, c) ?? 'item';
    else if (c.key === 'index_var') {
      const v = readVarName(ctx, c);
      if (v !== undefined) out.indexVar = v;
    } else if (c.key !== 'label') {
      report(
        ctx,
        'E_PLAYBOOK_KEY',
        `unknown loop_control key "${c.key}"`,
        c.keyNode,
        didYouMean(c.key, LOOP_CONTROL_KEYS) ?? `loop_control keys: ${LOOP_CONTROL_KEYS.join(', ')}`,
      );
    }
  }
  return out;
}

/** Reads a task; undefined when it has no usable module (the reason is reported). */
export function loadTask(ctx: LoadContext, node: YNode, o: TaskOptions): Task | undefined {
  if (!isMap(node)) {
    report(
      ctx,
      'E_TASK_SHAPE',
      `a ${o.handler ? 'handler' : 'task'} must be a mapping, got ${describeNode(node)}`,
      node,
      'write "- name: what it does" and a module key under it',
    );
    return undefined;
  }
  const { keys, module } = sortKeys(ctx, node, entriesOf(ctx, node), o);
  const at = (k: string) => keys.get(k)?.value;
  const has = (k: string) => keys.has(k);
  const conditions = (k: string) => (has(k) ? readConditions(ctx, at(k), k) : undefined);
  const { loop, loopWith } = readLoop(ctx, keys);
  const { loopVar, indexVar } = readLoopControl(ctx, keys.get('loop_control'));
  let register: string | undefined;
  if (has('register')) {
    register = readString(ctx, at('register'), 'register');
    if (register !== undefined && !IDENT.test(register)) {
      report(
        ctx,
        'E_TASK_REGISTER',
        `register: "${register}" is not a variable name`,
        at('register'),
        'use letters, digits and _',
      );
    }
  }
  const notify = has('notify') ? readStringList(ctx, at('notify'), 'notify') : [];
  o.notified.push(...notify.map((n) => ({ name: n.value, node: n.node })));
  const tags = has('tags') ? readStringList(ctx, at('tags'), 'tags', { commas: true }).map((t) => t.value) : [];
  const vars = { ...o.parent.vars, ...(has('vars') ? readMapping(ctx, at('vars'), 'vars') : undefined) };
  if (has('vars')) checkTemplates(ctx, at('vars'));
  const name = has('name') ? readString(ctx, at('name'), 'name') : undefined;
  const mod = module ? o.modules.get(module.key)! : undefined;
  const loaded = mod && module ? loadParams(ctx, mod, module, keys.get('args')) : undefined;
  if (!mod || !loaded) return undefined;
  return {
    name:
      (o.parent.role && !o.handler ? `${o.parent.role.name} : ` : '') + (name ?? defaultTaskName(mod, loaded.params)),
    module: mod.name,
    params: loaded.params,
    paramAt: loaded.paramAt,
    when: [...o.parent.when, ...(conditions('when') ?? [])],
    changedWhen: conditions('changed_when'),
    failedWhen: conditions('failed_when'),
    until: conditions('until'),
    loop,
    ...(loopWith ? { loopWith } : {}),
    loopVar,
    ...(indexVar ? { indexVar } : {}),
    register,
    notify: notify.map((n) => n.value),
    tags: [...new Set([...o.parent.tags, ...tags])],
    ignoreErrors: has('ignore_errors')
      ? (readBool(ctx, at('ignore_errors'), 'ignore_errors') ?? false)
      : (o.parent.ignoreErrors ?? false),
    retries: has('retries') ? readInt(ctx, at('retries'), 'retries') : undefined,
    delay: has('delay') ? readInt(ctx, at('delay'), 'delay') : undefined,
    timeout: has('timeout') ? readInt(ctx, at('timeout'), 'timeout') || undefined : undefined,
    become: has('become') ? readBool(ctx, at('become'), 'become') : o.parent.become,
    becomeUser: has('become_user') ? readString(ctx, at('become_user'), 'become_user') : o.parent.becomeUser,
    becomeMethod: has('become_method')
      ? readChoice(ctx, at('become_method'), 'become_method', BECOME_METHODS)
      : o.parent.becomeMethod,
    noLog: has('no_log') ? (readBool(ctx, at('no_log'), 'no_log') ?? false) : (o.parent.noLog ?? false),
    vars,
    ...keywordsOver(ctx, keys, o.parent),
    ...(o.parent.role ? { roleDir: o.parent.role.dir } : {}),
    listen: has('listen') ? readStringList(ctx, at('listen'), 'listen').map((l) => l.value) : [],
    at: span(ctx, node),
  };
}
