// Zod issues of module params as diagnostics at the YAML node they concern, with did-you-mean hints.
import type { z } from 'zod';
import type { Diagnostic, Span } from '../errors.js';
import { diag } from '../errors.js';
import { closest, didYouMean } from '../suggest.js';

type Issue = z.core.$ZodIssue;
type Path = readonly PropertyKey[];

export interface IssueContext {
  module: string;
  schema: z.ZodType;
  params: Record<string, unknown>;
  /** Where a path is written; `key` points at the key itself (unknown keys). */
  spanAt(path: Path, key?: boolean): Span;
  /** Whether the value at this path (or one it is inside) is a template, unknowable before rendering. */
  templated(path: Path): boolean;
}

const pathKey = (path: Path) => path.map(String).join('\0');

/**
 * Paths of missing keys that an unknown key probably meant ("cmdd" for a missing "cmd"): the
 * unknown key's did-you-mean already says it, so "missing" would be noise.
 */
function misspelt(c: IssueContext, issues: readonly Issue[]): Set<string> {
  const out = new Set<string>();
  for (const i of issues) {
    if (i.code !== 'unrecognized_keys') continue;
    for (const k of i.keys) {
      const meant = closest(k, knownKeys(c.schema, i.path));
      if (meant) out.add(pathKey([...i.path, meant]));
    }
  }
  return out;
}

/** Diagnostics for all issues of one parse. */
export function issuesDiagnostics(c: IssueContext, issues: readonly Issue[]): Diagnostic[] {
  const skip = misspelt(c, issues);
  return issues.flatMap((i) => issueDiagnostics(c, i, [], skip));
}

interface DefLike {
  type: string;
  innerType?: unknown;
  in?: unknown;
  shape?: Record<string, unknown>;
  element?: unknown;
  options?: unknown[];
  left?: unknown;
  right?: unknown;
}
const defOf = (s: unknown): DefLike | undefined => (s as { _zod?: { def?: DefLike } })?._zod?.def;

/** The keys an object schema at `path` accepts (through optional, default, pipe, array, union). */
export function knownKeys(schema: unknown, path: Path): string[] {
  const def = defOf(schema);
  if (!def) return [];
  if (def.innerType) return knownKeys(def.innerType, path);
  if (def.type === 'pipe') return knownKeys(def.in, path);
  if (def.type === 'union') return [...new Set((def.options ?? []).flatMap((o) => knownKeys(o, path)))];
  if (def.type === 'intersection') return [...knownKeys(def.left, path), ...knownKeys(def.right, path)];
  if (def.type === 'array') return knownKeys(def.element, typeof path[0] === 'number' ? path.slice(1) : path);
  if (def.type !== 'object' || !def.shape) return [];
  if (path.length === 0) return Object.keys(def.shape);
  return knownKeys(def.shape[String(path[0])], path.slice(1));
}

export const formatPath = (module: string, path: Path): string =>
  path.reduce<string>((s, k) => (typeof k === 'number' ? `${s}[${k}]` : `${s}.${String(k)}`), module);

function valueAt(root: unknown, path: Path): unknown {
  let cur = root;
  for (const k of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[k as string];
  }
  return cur;
}

const typeWords: Record<string, string> = {
  array: 'list',
  object: 'mapping',
  boolean: 'boolean',
  string: 'string',
  number: 'number',
  int: 'integer',
  null: 'null',
};

export function describeValue(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'list';
  if (typeof v === 'object') return 'mapping';
  if (typeof v === 'string') return `string "${v.length > 40 ? `${v.slice(0, 40)}…` : v}"`;
  return `${typeof v} ${String(v)}`;
}

/** The expected types of a union whose every branch failed on type alone, else undefined. */
function unionTypes(issue: Extract<Issue, { code: 'invalid_union' }>): string[] | undefined {
  const types: string[] = [];
  for (const branch of issue.errors) {
    const t =
      branch.length === 1 && branch[0]!.code === 'invalid_type' && branch[0]!.path.length === 0
        ? branch[0]!.expected
        : undefined;
    if (!t) return undefined;
    types.push(typeWords[t] ?? t);
  }
  return [...new Set(types)];
}

function missing(c: IssueContext, path: Path): Diagnostic {
  const parent = path.slice(0, -1);
  return diag(
    'E_PARAM_MISSING',
    `${formatPath(c.module, parent)}: missing required key "${String(path.at(-1))}"`,
    c.spanAt(parent, true),
    `known keys: ${knownKeys(c.schema, parent).join(', ')}`,
  );
}

/** Where a module's params are described: every param diagnostic points there when it has nothing more precise. */
const paramsDoc = (c: IssueContext): string => `see \`stackplay modules ${c.module}\` for its params`;

function issueDiagnostics(c: IssueContext, issue: Issue, base: Path, skip: Set<string>): Diagnostic[] {
  const path = [...base, ...issue.path];
  const name = formatPath(c.module, path);
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeys(c.schema, path);
    return issue.keys.map((k) =>
      diag(
        'E_PARAM_UNKNOWN_KEY',
        `${name}: unknown key "${k}"`,
        c.spanAt([...path, k], true),
        didYouMean(k, known) ?? (known.length ? `known keys: ${known.join(', ')}` : undefined),
      ),
    );
  }
  if (c.templated(path) || (path.length === 0 && issue.code === 'custom' && c.templated(['*']))) return [];
  const actual = valueAt(c.params, path);
  if (issue.code === 'invalid_type') {
    if (actual === undefined && path.length > 0) return skip.has(pathKey(path)) ? [] : [missing(c, path)];
    return [
      diag(
        'E_PARAM_TYPE',
        `${name}: expected ${typeWords[issue.expected] ?? issue.expected}, got ${describeValue(actual)}`,
        c.spanAt(path),
        paramsDoc(c),
      ),
    ];
  }
  if (issue.code === 'invalid_union') {
    const types = unionTypes(issue);
    if (types) {
      if (actual === undefined && path.length > 0) return skip.has(pathKey(path)) ? [] : [missing(c, path)];
      return [
        diag(
          'E_PARAM_TYPE',
          `${name}: expected ${types.join(' or ')}, got ${describeValue(actual)}`,
          c.spanAt(path),
          paramsDoc(c),
        ),
      ];
    }
    // One branch had the right shape: its own complaints say the most.
    const fitting = issue.errors.filter((b) => !b.some((i) => i.code === 'invalid_type' && i.path.length === 0));
    if (fitting.length === 1) return fitting[0]!.flatMap((i) => issueDiagnostics(c, i, path, skip));
  }
  if (issue.code === 'invalid_value') {
    const values = issue.values.map((v) => JSON.stringify(v));
    const words = issue.values.filter((v): v is string => typeof v === 'string');
    return [
      diag(
        'E_PARAM_VALUE',
        `${name}: expected ${values.length === 1 ? values[0] : `one of ${values.join(', ')}`}, got ${describeValue(actual)}`,
        c.spanAt(path),
        (typeof actual === 'string' ? didYouMean(actual, words) : undefined) ?? paramsDoc(c),
      ),
    ];
  }
  return [
    diag('E_PARAM', `${name}: ${issue.message.replace(/^Invalid (input|string): /, '')}`, c.spanAt(path), paramsDoc(c)),
  ];
}
