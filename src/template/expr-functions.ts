// Filters (`x | int`), tests (`x is failed`) and string/dict methods (`x.startswith('a')`) of conditions.
import { ExprError } from './errors.js';
import { describeValue, equal, isDict, toBool, toRegExp, toText, truthy } from './expr-values.js';

export type Fn = (v: unknown, args: unknown[]) => unknown;

const typeError = (what: string) => new ExprError('E_EXPR_TYPE', what);

const str = (v: unknown, fn: string): string => {
  if (typeof v !== 'string') throw typeError(`${fn} expects a string, got ${describeValue(v)}`);
  return v;
};
const list = (v: unknown, fn: string): unknown[] => {
  if (typeof v === 'string') return [...v];
  if (isDict(v)) return Object.keys(v);
  if (!Array.isArray(v)) throw typeError(`${fn} expects a list, got ${describeValue(v)}`);
  return v;
};
const num = (v: unknown, fn: string): number => {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  throw typeError(`${fn} expects a number, got ${describeValue(v)}`);
};
const toNumber = (v: unknown, fallback: unknown, int: boolean): unknown => {
  const n =
    typeof v === 'number'
      ? v
      : typeof v === 'boolean'
        ? Number(v)
        : typeof v === 'string' && v.trim() !== ''
          ? Number(v.trim())
          : NaN;
  if (Number.isNaN(n)) return fallback;
  return int ? Math.trunc(n) : n;
};
const compareSort = (a: unknown, b: unknown) => (a! < b! ? -1 : a! > b! ? 1 : 0);

/** `default` and `d` see undefined operands; the evaluator handles them before calling these. */
export const FILTERS: Record<string, Fn> = {
  default: (v, [fallback = '', onFalsy]) => (onFalsy === true && !truthy(v) ? fallback : v),
  d: (v, args) => FILTERS.default!(v, args),
  length: (v) => {
    if (typeof v === 'string' || Array.isArray(v)) return v.length;
    if (isDict(v)) return Object.keys(v).length;
    throw typeError(`length expects a string, list or dict, got ${describeValue(v)}`);
  },
  count: (v, a) => FILTERS.length!(v, a),
  int: (v, [fallback = 0]) => toNumber(v, fallback, true),
  float: (v, [fallback = 0]) => toNumber(v, fallback, false),
  bool: (v) => toBool(v),
  string: (v) => toText(v),
  lower: (v) => str(v, 'lower').toLowerCase(),
  upper: (v) => str(v, 'upper').toUpperCase(),
  trim: (v) => str(v, 'trim').trim(),
  join: (v, [sep = '']) => list(v, 'join').map(toText).join(toText(sep)),
  first: (v) => list(v, 'first')[0] ?? null,
  last: (v) => list(v, 'last').at(-1) ?? null,
  list: (v) => [...list(v, 'list')],
  unique: (v) => list(v, 'unique').filter((x, i, all) => all.findIndex((y) => equal(x, y)) === i),
  sort: (v) => [...list(v, 'sort')].sort(compareSort),
  min: (v) => [...list(v, 'min')].sort(compareSort)[0] ?? null,
  max: (v) => [...list(v, 'max')].sort(compareSort).at(-1) ?? null,
  abs: (v) => Math.abs(num(v, 'abs')),
  round: (v, [digits = 0]) => Number(num(v, 'round').toFixed(num(digits, 'round'))),
  replace: (v, [from, to]) => str(v, 'replace').split(toText(from)).join(toText(to)),
  split: (v, [sep]) => (sep === undefined ? str(v, 'split').trim().split(/\s+/) : str(v, 'split').split(toText(sep))),
  regex_search: (v, [re]) => toRegExp(str(re, 'regex_search'), 'search').exec(str(v, 'regex_search'))?.[0] ?? null,
  regex_replace: (v, [re, to = '']) => {
    const r = toRegExp(str(re, 'regex_replace'), 'search');
    return str(v, 'regex_replace').replace(new RegExp(r.source, `${r.flags}g`), toText(to).replace(/\\(\d)/g, '$$$1'));
  },
  to_json: (v) => JSON.stringify(v),
  from_json: (v) => {
    try {
      return JSON.parse(str(v, 'from_json'));
    } catch {
      throw typeError(`from_json: not valid JSON: ${describeValue(v)}`);
    }
  },
};

const result = (v: unknown, test: string): Record<string, unknown> => {
  if (!isDict(v)) throw typeError(`the "${test}" test expects a registered task result, got ${describeValue(v)}`);
  return v;
};
const regexTest =
  (mode: 'match' | 'search') =>
  (v: unknown, [re]: unknown[]) =>
    toRegExp(str(re, mode), mode).test(str(v, mode));

/** `defined` and `undefined` see undefined operands; the evaluator handles them. */
export const TESTS: Record<string, Fn> = {
  defined: () => true,
  undefined: () => false,
  none: (v) => v === null || v === undefined,
  string: (v) => typeof v === 'string',
  number: (v) => typeof v === 'number',
  integer: (v) => Number.isInteger(v),
  float: (v) => typeof v === 'number' && !Number.isInteger(v),
  boolean: (v) => typeof v === 'boolean',
  mapping: (v) => isDict(v),
  sequence: (v) => Array.isArray(v) || typeof v === 'string',
  iterable: (v) => Array.isArray(v) || typeof v === 'string' || isDict(v),
  true: (v) => v === true,
  false: (v) => v === false,
  truthy: (v) => truthy(v),
  falsy: (v) => !truthy(v),
  succeeded: (v) => !truthy(result(v, 'succeeded').failed ?? false),
  success: (v) => TESTS.succeeded!(v, []),
  failed: (v) => truthy(result(v, 'failed').failed ?? false),
  failure: (v) => TESTS.failed!(v, []),
  changed: (v) => truthy(result(v, 'changed').changed ?? false),
  change: (v) => TESTS.changed!(v, []),
  skipped: (v) => truthy(result(v, 'skipped').skipped ?? false),
  skip: (v) => TESTS.skipped!(v, []),
  match: regexTest('match'),
  search: regexTest('search'),
  regex: regexTest('search'),
  in: (v, [seq]) => list(seq, 'in').some((x) => equal(x, v)),
  eq: (v, [b]) => equal(v, b),
  equalto: (v, [b]) => equal(v, b),
  ne: (v, [b]) => !equal(v, b),
};

const dict = (v: unknown, fn: string): Record<string, unknown> => {
  if (!isDict(v)) throw typeError(`${fn}() is a dict method, called on ${describeValue(v)}`);
  return v;
};

export const METHODS: Record<string, Fn> = {
  startswith: (v, [p]) => (Array.isArray(p) ? p : [p]).some((x) => str(v, 'startswith').startsWith(toText(x))),
  endswith: (v, [p]) => (Array.isArray(p) ? p : [p]).some((x) => str(v, 'endswith').endsWith(toText(x))),
  lower: (v) => str(v, 'lower').toLowerCase(),
  upper: (v) => str(v, 'upper').toUpperCase(),
  strip: (v) => str(v, 'strip').trim(),
  lstrip: (v) => str(v, 'lstrip').trimStart(),
  rstrip: (v) => str(v, 'rstrip').trimEnd(),
  split: (v, args) => FILTERS.split!(v, args),
  replace: (v, args) => FILTERS.replace!(v, args),
  find: (v, [s]) => str(v, 'find').indexOf(toText(s)),
  join: (v, [items]) => list(items, 'join').map(toText).join(str(v, 'join')),
  get: (v, [key, fallback = null]) =>
    Object.hasOwn(dict(v, 'get'), String(key)) ? dict(v, 'get')[String(key)] : fallback,
  keys: (v) => Object.keys(dict(v, 'keys')),
  values: (v) => Object.values(dict(v, 'values')),
  items: (v) => Object.entries(dict(v, 'items')),
};
