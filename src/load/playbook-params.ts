// A task's module params: free-form scalars, `args:`, load-time schema checks and template syntax checks.
import { isMap, isScalar, isSeq, type Node } from 'yaml';
import type { Module } from '../sdk.js';
import { diag, type Span } from '../errors.js';
import { dirname, resolve } from 'node:path';
import { notRegularFile } from './input-file.js';
import { nodeAtPath } from './source.js';
import { hasTemplate } from '../template/render.js';
import {
  checkCondition,
  checkTemplates,
  describeNode,
  entriesOf,
  report,
  span,
  type Entry,
  type LoadContext,
  type YNode,
} from './playbook-node.js';
import { formatPath, issuesDiagnostics, knownKeys } from './playbook-zod.js';

export interface LoadedParams {
  params: Record<string, unknown>;
  paramAt: Record<string, Span>;
}

/** The YAML node each param came from (module value or `args:`), for mapping paths back. */
type Origins = Map<string, { key: Node; value: YNode }>;

function collect(
  ctx: LoadContext,
  module: Module,
  entry: Entry,
  args: Entry | undefined,
): { params: Record<string, unknown>; origins: Origins } | undefined {
  const params: Record<string, unknown> = {};
  const origins: Origins = new Map();
  const addMap = (node: YNode) => {
    for (const e of entriesOf(ctx, node as Node)) {
      if (origins.has(e.key)) continue;
      params[e.key] = e.value ? (e.value as Node).toJS(ctx.src.doc) : null;
      origins.set(e.key, { key: e.keyNode, value: e.value });
    }
  };
  // Params written under the module key win over `args:`, as in Ansible.
  const addArgs = () => {
    if (!args) return;
    if (isMap(args.value)) addMap(args.value);
    else
      report(
        ctx,
        'E_PLAYBOOK_TYPE',
        `args: expected a mapping, got ${describeNode(args.value)}`,
        args.value ?? args.keyNode,
        'write args as key: value lines under it',
      );
  };
  const v = entry.value;
  if (isMap(v)) {
    addMap(v);
    addArgs();
    return { params, origins };
  }
  if (isSeq(v)) {
    report(ctx, 'E_PARAM_TYPE', `${module.name}: expected params as a mapping, got a list`, v, paramsHint(module));
    return undefined;
  }
  if (!isScalar(v) || v.value === null) {
    addArgs();
    return { params, origins };
  }
  if (!module.freeForm) {
    const none = knownKeys(module.params, []).length === 0;
    report(
      ctx,
      'E_PARAM_FREE_FORM',
      `${module.name}: takes ${none ? 'no params' : 'named params, not a single value'}`,
      v,
      paramsHint(module),
    );
    return undefined;
  }
  params[module.freeForm] = v.value;
  origins.set(module.freeForm, { key: entry.keyNode, value: v });
  addArgs();
  return { params, origins };
}

function paramsHint(module: Module): string {
  const keys = knownKeys(module.params, []);
  if (keys.length === 0) return `${module.name} takes no params: write "${module.name}:" alone`;
  const named = `${module.name}: { ${keys[0]}: ... } (params: ${keys.join(', ')})`;
  return module.freeForm ? `write ${module.name}: <${module.freeForm}> or ${named}` : `write ${named}`;
}

function templateAt(params: Record<string, unknown>, path: readonly PropertyKey[]): boolean {
  let cur: unknown = params;
  for (const k of path) {
    if (typeof cur === 'string') return cur.includes('{{');
    if (cur === null || typeof cur !== 'object') return false;
    cur = (cur as Record<PropertyKey, unknown>)[k as string];
  }
  return typeof cur === 'string' && cur.includes('{{');
}

/** Reads and checks the params of `entry` (the module key) against the module's schema. */
export function loadParams(ctx: LoadContext, module: Module, entry: Entry, args?: Entry): LoadedParams {
  const got = collect(ctx, module, entry, args);
  if (!got) return { params: {}, paramAt: {} };
  const { params, origins } = got;
  const paramAt: Record<string, Span> = {};
  for (const [k, o] of origins) paramAt[k] = span(ctx, o.value ?? o.key);

  const spanAt = (path: readonly PropertyKey[], key = false): Span => {
    if (path.length === 0) return span(ctx, entry.keyNode);
    const o = origins.get(String(path[0]));
    if (!o) return span(ctx, entry.keyNode);
    if (path.length === 1) return span(ctx, key ? o.key : (o.value ?? o.key));
    return span(ctx, nodeAtPath(o.value, path.slice(1), { key }) ?? o.key);
  };

  const result = module.params.safeParse(params);
  if (!result.success) {
    const c = {
      module: module.name,
      schema: module.params,
      params,
      spanAt,
      templated: (path: readonly PropertyKey[]) => (path[0] === '*' ? hasTemplate(params) : templateAt(params, path)),
    };
    ctx.diagnostics.push(...issuesDiagnostics(c, result.error.issues));
  }
  checkLocalFiles(ctx, module, params, spanAt);
  checkTemplates(ctx, entry.value);
  if (args) checkTemplates(ctx, args.value);
  if (module.name === 'assert') checkAssert(ctx, params, spanAt);
  return { params, paramAt };
}

/** A controller file a module will read must be a regular file: a FIFO or device would hang the run. */
function checkLocalFiles(
  ctx: LoadContext,
  module: Module,
  params: Record<string, unknown>,
  spanAt: (p: readonly PropertyKey[]) => Span,
): void {
  for (const name of module.localFiles ?? []) {
    const value = params[name];
    if (typeof value !== 'string' || value === '' || hasTemplate(value)) continue;
    const why = notRegularFile(resolve(dirname(resolve(ctx.src.file)), value));
    if (why)
      ctx.diagnostics.push(
        diag(
          'E_FILE',
          `${module.name}.${name}: ${value} ${why}`,
          spanAt([name]),
          "name a regular file, relative to the playbook's folder",
        ),
      );
  }
}

/** assert's `that` holds conditions: check they parse now, like `when`. */
function checkAssert(
  ctx: LoadContext,
  params: Record<string, unknown>,
  spanAt: (p: readonly PropertyKey[]) => Span,
): void {
  const that = params.that;
  const items = typeof that === 'string' ? [that] : Array.isArray(that) ? that : [];
  items.forEach((text, i) => {
    const path = Array.isArray(that) ? ['that', i] : ['that'];
    if (typeof text === 'string') checkCondition(ctx, text, spanAt(path), formatPath('assert', path));
  });
}

/** The default task name: `command: ls -l`, `copy: dest=/etc/motd`, or the module name. */
export function defaultTaskName(module: Module, params: Record<string, unknown>): string {
  const short = (v: unknown) => {
    const s = typeof v === 'string' ? v : JSON.stringify(v);
    return s.length > 60 ? `${s.slice(0, 57)}...` : s;
  };
  if (module.freeForm && params[module.freeForm] !== undefined)
    return `${module.name}: ${short(params[module.freeForm])}`;
  const first = Object.entries(params)[0];
  return first ? `${module.name}: ${first[0]}=${short(first[1])}` : module.name;
}
