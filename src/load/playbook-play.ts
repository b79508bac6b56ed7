// One play from YAML: hosts, vars, batching and fail limits, its tasks and handlers.
import { resolve } from 'node:path';
import { isMap, isScalar, isSeq, type Node } from 'yaml';
import type { Module } from '../sdk.js';
import { isTask, type Inherited, type Play, type TaskItem } from './playbook-types.js';
import { didYouMean } from '../suggest.js';
import { BECOME_METHODS } from '../privilege.js';
import { ORDERS, PLAY_KEYS, STRATEGIES, UNSUPPORTED } from './playbook-keys.js';
import {
  checkTemplates,
  describeNode,
  entriesOf,
  readBool,
  readChoice,
  readEnvironment,
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
import { section, type ItemOptions } from './playbook-items.js';
import { readVarsFiles } from './playbook-vars-files.js';
import { readRoles, type LoadedRoles } from './playbook-roles.js';

function readHosts(ctx: LoadContext, e: Entry | undefined, playNode: Node): string | undefined {
  const hint = 'name a group or host, e.g. "hosts: core" or "hosts: all"';
  if (!e) {
    report(ctx, 'E_PLAY_NO_HOSTS', 'play has no "hosts"', playNode, hint);
    return undefined;
  }
  if (!e.value || (isScalar(e.value) && e.value.value === null)) {
    report(ctx, 'E_PLAY_NO_HOSTS', 'play has an empty "hosts"', e.keyNode, hint);
    return undefined;
  }
  const parts = readStringList(ctx, e.value, 'hosts')
    .map((h) => h.value.trim())
    .filter(Boolean);
  if (parts.length === 0 && isScalar(e.value))
    report(ctx, 'E_PLAY_NO_HOSTS', 'play has an empty "hosts"', e.value, hint);
  if (parts.some((p) => p.includes('{{'))) {
    report(
      ctx,
      'E_UNSUPPORTED',
      'hosts: templates are not supported yet',
      e.value,
      'write the group names; narrow a run with --limit',
    );
  }
  return parts.length ? parts.join(':') : undefined;
}

const PERCENT = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/;

/** serial: a count, "N%", or a list of those (the last size repeats). */
function readSerial(ctx: LoadContext, node: YNode): (number | string)[] {
  const items: YNode[] = isSeq(node) ? (node.items as YNode[]) : [node];
  const out: (number | string)[] = [];
  for (const item of items) {
    const v = isScalar(item) ? item.value : undefined;
    if (typeof v === 'number' && Number.isInteger(v) && v > 0) out.push(v);
    else if (typeof v === 'string' && /^\s*\d+\s*$/.test(v) && Number(v) > 0) out.push(Number(v));
    else if (
      typeof v === 'string' &&
      PERCENT.test(v) &&
      Number(PERCENT.exec(v)![1]) > 0 &&
      Number(PERCENT.exec(v)![1]) <= 100
    )
      out.push(v.trim());
    else {
      report(
        ctx,
        'E_PLAY_SERIAL',
        `serial: expected a host count (1 or more), a percentage ("30%") or a list of them, got ${describeNode(item)}`,
        item ?? node,
        'e.g. "serial: 1", "serial: 25%" or "serial: [1, 5, 50%]"',
      );
    }
  }
  if (isSeq(node) && node.items.length === 0)
    report(ctx, 'E_PLAY_SERIAL', 'serial: the list is empty', node, 'e.g. "serial: [1, 5, 50%]"');
  return out;
}

/** What to write instead of a strategy stackplay does not run. */
const STRATEGY_HINTS: Record<string, string> = {
  debug: 'the debug strategy is interactive; use linear (the default) and debug tasks',
  mitogen_linear: 'use linear: stackplay already keeps one connection per host',
  mitogen_free: 'use free: stackplay already keeps one connection per host',
  mitogen_host_pinned: 'use host_pinned: stackplay already keeps one connection per host',
};

/** strategy: linear (the default), free or host_pinned, written as a plain string. */
function readStrategy(ctx: LoadContext, node: YNode): Play['strategy'] {
  const s = readString(ctx, node, 'strategy');
  if (s === undefined) return undefined;
  const name = s.trim().replace(/^ansible\.builtin\./, '');
  if (name === 'free' || name === 'host_pinned') return name;
  if (name === 'linear') return undefined;
  const templated = s.includes('{{');
  report(
    ctx,
    'E_STRATEGY',
    templated ? 'strategy: templates are not supported' : `strategy: "${s}" is not a strategy stackplay runs`,
    node,
    STRATEGY_HINTS[name] ??
      didYouMean(name, STRATEGIES) ??
      'stackplay runs linear (the default), free or host_pinned: write one of them as plain text',
  );
  return undefined;
}

export interface LoadedPlay {
  play: Play;
  /** notify items of its tasks, to check against its handlers. */
  notified: { name: string; node: Node }[];
}

export function loadPlay(
  ctx: LoadContext,
  node: YNode,
  index: number,
  modules: ReadonlyMap<string, Module>,
): LoadedPlay | undefined {
  if (!isMap(node)) {
    report(
      ctx,
      'E_PLAY_SHAPE',
      `play ${index + 1} must be a mapping, got ${describeNode(node)}`,
      node,
      'start each play with "- hosts: ..." and give it tasks',
    );
    return undefined;
  }
  const keys = new Map<string, Entry>();
  for (const e of entriesOf(ctx, node)) {
    if ((PLAY_KEYS as readonly string[]).includes(e.key)) keys.set(e.key, e);
    else if (Object.hasOwn(UNSUPPORTED, e.key))
      report(ctx, 'E_UNSUPPORTED', `"${e.key}" is not supported yet`, e.keyNode, UNSUPPORTED[e.key]);
    else if (modules.has(e.key))
      report(
        ctx,
        'E_PLAYBOOK_KEY',
        `unknown play key "${e.key}" (a module needs a task)`,
        e.keyNode,
        'put it in a task under "tasks:"',
      );
    else
      report(
        ctx,
        'E_PLAYBOOK_KEY',
        `unknown play key "${e.key}"`,
        e.keyNode,
        didYouMean(e.key, PLAY_KEYS) ?? `play keys: ${PLAY_KEYS.join(', ')}`,
      );
  }
  const at = (k: string) => keys.get(k)?.value;
  const has = (k: string) => keys.has(k);
  const hosts = readHosts(ctx, keys.get('hosts'), node);
  const name = has('name') ? readString(ctx, at('name'), 'name') : undefined;
  const tags = has('tags') ? readStringList(ctx, at('tags'), 'tags', { commas: true }).map((t) => t.value) : [];
  let order: Play['order'];
  if (has('order')) {
    const o = readString(ctx, at('order'), 'order');
    if (o !== undefined && (ORDERS as readonly string[]).includes(o)) order = o as Play['order'];
    else if (o !== undefined)
      report(
        ctx,
        'E_PLAYBOOK_TYPE',
        `order: expected one of ${ORDERS.join(', ')}, got "${o}"`,
        at('order'),
        didYouMean(o, ORDERS),
      );
  }
  const strategy = has('strategy') ? readStrategy(ctx, at('strategy')) : undefined;
  if (has('vars')) checkTemplates(ctx, at('vars'));
  const notified: { name: string; node: Node }[] = [];
  // Ansible flushes handlers after each section: pre_tasks, (roles and) tasks, post_tasks.
  // What the play passes down to every task: its tags and environment.
  const parent: Inherited = {
    when: [],
    tags,
    vars: {},
    ...(has('environment') ? { environment: readEnvironment(ctx, at('environment')) ?? {} } : {}),
  };
  if (has('environment')) checkTemplates(ctx, at('environment'));
  // Every role the play names (roles:, import_role, include_role) adds its handlers, defaults and vars here.
  const roles: LoadedRoles = { tasks: [], handlers: [], defaults: {}, vars: {}, seen: new Set() };
  const base: ItemOptions = { modules, handler: false, parent, notified, importing: [resolve(ctx.src.file)], roles };
  if (has('roles')) readRoles(ctx, keys.get('roles')!, base, roles);
  // Roles run before the play's tasks, in the same section.
  const tasks = ['pre_tasks', 'tasks', 'post_tasks'].flatMap((k): TaskItem[] => {
    const items = [...(k === 'tasks' ? roles.tasks : []), ...section(ctx, keys.get(k), base)];
    const at = keys.get(k)?.keyNode ?? keys.get('roles')?.keyNode;
    return items.length ? [...items, { kind: 'flush', at: span(ctx, at) }] : [];
  });
  const handlers = [
    ...roles.handlers,
    ...section(ctx, keys.get('handlers'), { ...base, handler: true, notified: [] }).filter(isTask),
  ];
  const play: Play = {
    name: name ?? hosts ?? `play ${index + 1}`,
    hosts: hosts ?? '',
    // vars_files are above play vars in Ansible's precedence.
    vars: {
      ...(has('vars') ? readMapping(ctx, at('vars'), 'vars') : undefined),
      ...(has('vars_files') ? readVarsFiles(ctx, keys.get('vars_files')!) : undefined),
      ...roles.vars,
    },
    ...(Object.keys(roles.defaults).length ? { defaults: roles.defaults } : {}),
    serial: has('serial') ? readSerial(ctx, at('serial')) : [],
    maxFailPercentage: has('max_fail_percentage')
      ? readInt(ctx, at('max_fail_percentage'), 'max_fail_percentage', 100)
      : undefined,
    anyErrorsFatal: has('any_errors_fatal')
      ? (readBool(ctx, at('any_errors_fatal'), 'any_errors_fatal') ?? false)
      : false,
    order,
    ...(strategy ? { strategy } : {}),
    become: has('become') ? (readBool(ctx, at('become'), 'become') ?? false) : false,
    becomeUser: has('become_user') ? readString(ctx, at('become_user'), 'become_user') : undefined,
    becomeMethod: has('become_method')
      ? readChoice(ctx, at('become_method'), 'become_method', BECOME_METHODS)
      : undefined,
    gatherFacts: has('gather_facts') ? (readBool(ctx, at('gather_facts'), 'gather_facts') ?? false) : false,
    tags,
    tasks,
    handlers,
    at: span(ctx, node),
  };
  return { play, notified };
}
