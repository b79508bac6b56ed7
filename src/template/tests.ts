// Jinja2 and Ansible tests: defined, undefined, none, failed, succeeded, changed, skipped, match, search, version, in.
import semver from 'semver';
import { type Family, asString } from './define.js';
import { toRegExp } from './regex.js';
import { TypeUse, Undefined, equal, isDict, pyTruthy, toText } from './values.js';

const field = (v: unknown, k: string) => isDict(v) && Object.hasOwn(v, k) && pyTruthy(v[k]);
const failed = (v: unknown) => {
  if (!isDict(v)) throw new TypeUse('the failed/succeeded tests expect a registered task result');
  return field(v, 'failed');
};

const OPS: Record<string, (c: number) => boolean> = {
  '<': (c) => c < 0,
  lt: (c) => c < 0,
  '<=': (c) => c <= 0,
  le: (c) => c <= 0,
  '>': (c) => c > 0,
  gt: (c) => c > 0,
  '>=': (c) => c >= 0,
  ge: (c) => c >= 0,
  '==': (c) => c === 0,
  '=': (c) => c === 0,
  eq: (c) => c === 0,
  '!=': (c) => c !== 0,
  '<>': (c) => c !== 0,
  ne: (c) => c !== 0,
};

/** Loose version comparison (Ansible's default): numeric parts compared as numbers, others as text. */
function looseCompare(a: string, b: string): number {
  const pa = a.split(/[.-]/);
  const pb = b.split(/[.-]/);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? '';
    const y = pb[i] ?? '';
    if (x === y) continue;
    if (x === '') return -1;
    if (y === '') return 1;
    const nx = Number(x);
    const ny = Number(y);
    if (Number.isFinite(nx) && Number.isFinite(ny)) return nx - ny;
    return x < y ? -1 : 1;
  }
  return 0;
}

const version = {
  params: ['version', 'operator', 'strict'],
  fn: (v: unknown, a: Record<string, unknown>) => {
    const op = OPS[asString(a.operator ?? 'eq')];
    if (!op) throw new TypeUse(`unknown version comparison operator "${asString(a.operator)}"`);
    const x = toText(v);
    const y = toText(a.version);
    if (a.strict === true) {
      const sx = semver.coerce(x);
      const sy = semver.coerce(y);
      if (!sx || !sy) throw new TypeUse(`invalid version "${!sx ? x : y}"`);
      return op(semver.compare(sx, sy));
    }
    return op(looseCompare(x, y));
  },
};

const regexTest = (mode: 'match' | 'search') => ({
  params: ['pattern', 'ignorecase', 'multiline'],
  fn: (v: unknown, a: Record<string, unknown>) =>
    toRegExp(asString(a.pattern), mode, a.ignorecase === true, a.multiline === true).test(toText(v)),
});

export const tests: Family = {
  defined: { acceptsUndefined: true, fn: (v) => !(v instanceof Undefined) },
  undefined: { acceptsUndefined: true, fn: (v) => v instanceof Undefined },
  none: { fn: (v) => v === null },
  string: { fn: (v) => typeof v === 'string' },
  number: { fn: (v) => typeof v === 'number' },
  integer: { fn: (v) => typeof v === 'number' && Number.isInteger(v) },
  float: { fn: (v) => typeof v === 'number' && !Number.isInteger(v) },
  boolean: { fn: (v) => typeof v === 'boolean' },
  mapping: { fn: (v) => isDict(v) },
  iterable: { fn: (v) => typeof v === 'string' || Array.isArray(v) || isDict(v) },
  sequence: { fn: (v) => typeof v === 'string' || Array.isArray(v) || isDict(v) },
  callable: { fn: (v) => typeof v === 'function' },
  true: { fn: (v) => v === true },
  false: { fn: (v) => v === false },
  eq: { params: ['other'], fn: (v, a) => equal(v, a.other) },
  equalto: { params: ['other'], fn: (v, a) => equal(v, a.other) },
  ne: { params: ['other'], fn: (v, a) => !equal(v, a.other) },
  gt: { params: ['other'], fn: (v, a) => (v as number) > (a.other as number) },
  lt: { params: ['other'], fn: (v, a) => (v as number) < (a.other as number) },
  ge: { params: ['other'], fn: (v, a) => (v as number) >= (a.other as number) },
  le: { params: ['other'], fn: (v, a) => (v as number) <= (a.other as number) },
  odd: { fn: (v) => Math.abs(Number(v) % 2) === 1 },
  even: { fn: (v) => Number(v) % 2 === 0 },
  divisibleby: { params: ['num'], fn: (v, a) => Number(v) % Number(a.num) === 0 },
  lower: { fn: (v) => toText(v) === toText(v).toLowerCase() },
  upper: { fn: (v) => toText(v) === toText(v).toUpperCase() },
  in: {
    params: ['seq'],
    fn: (v, a) =>
      typeof a.seq === 'string'
        ? a.seq.includes(toText(v))
        : Array.isArray(a.seq)
          ? a.seq.some((x) => equal(x, v))
          : isDict(a.seq) && Object.hasOwn(a.seq, toText(v)),
  },
  contains: { params: ['item'], fn: (v, a) => Array.isArray(v) && v.some((x) => equal(x, a.item)) },
  failed: { fn: failed },
  failure: { fn: failed },
  succeeded: { fn: (v) => !failed(v) },
  success: { fn: (v) => !failed(v) },
  successful: { fn: (v) => !failed(v) },
  changed: { fn: (v) => field(v, 'changed') },
  change: { fn: (v) => field(v, 'changed') },
  skipped: { fn: (v) => field(v, 'skipped') },
  skip: { fn: (v) => field(v, 'skipped') },
  match: regexTest('match'),
  search: regexTest('search'),
  regex: regexTest('search'),
  version,
  version_compare: version,
  subset: {
    params: ['other'],
    fn: (v, a) =>
      Array.isArray(v) && Array.isArray(a.other) && v.every((x) => (a.other as unknown[]).some((y) => equal(x, y))),
  },
  superset: {
    params: ['other'],
    fn: (v, a) =>
      Array.isArray(v) && Array.isArray(a.other) && (a.other as unknown[]).every((x) => v.some((y) => equal(x, y))),
  },
  abs: { fn: (v) => typeof v === 'string' && v.startsWith('/') },
};
