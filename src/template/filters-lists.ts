// List filters: join, first, last, min, max, unique, sort, reverse, flatten, zip, select/reject(attr), map, list, sum.
import { type Args, type Family, asList } from './define.js';
import { callFilter, callTest } from './registry.js';
import { TypeUse, describeValue, equal, isDict, pyTruthy, toText } from './values.js';

const attr = (item: unknown, path: unknown): unknown => {
  let cur = item;
  for (const p of String(path).split('.')) {
    if (Array.isArray(cur) && /^\d+$/.test(p)) cur = cur[Number(p)];
    else if (isDict(cur) && Object.hasOwn(cur, p)) cur = cur[p];
    else return undefined;
  }
  return cur;
};

function cmp(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'boolean' || typeof b === 'boolean') return Number(a) - Number(b);
  throw new TypeUse(`cannot compare ${describeValue(a)} with ${describeValue(b)}`);
}

const keyed = (a: Args) => (x: unknown) => {
  const v = a.attribute === undefined ? x : attr(x, a.attribute);
  return typeof v === 'string' && a.case_sensitive !== true ? v.toLowerCase() : v;
};

function flatten(l: unknown[], levels: number | undefined): unknown[] {
  const out: unknown[] = [];
  for (const x of l) {
    if (Array.isArray(x) && (levels === undefined || levels > 0))
      out.push(...flatten(x, levels === undefined ? undefined : levels - 1));
    else if (x !== null) out.push(x);
  }
  return out;
}

/** select/reject and selectattr/rejectattr: keep items whose test (default: truthiness) is `keep`. */
function selecting(keep: boolean, byAttr: boolean) {
  return {
    params: byAttr ? ['attribute', 'test', 'arg'] : ['test', 'arg'],
    fn: (v: unknown, a: Args) =>
      asList(v, 'select').filter((item) => {
        const x = byAttr ? attr(item, a.attribute) : item;
        const ok =
          a.test === undefined
            ? x !== undefined && pyTruthy(x)
            : callTest(String(a.test), x, a.arg === undefined ? [] : [a.arg]);
        return ok === keep;
      }),
  };
}

export const listFilters: Family = {
  join: {
    params: ['d', 'attribute'],
    fn: (v, a) =>
      asList(v, 'join')
        .map((x) => toText(a.attribute === undefined ? x : attr(x, a.attribute)))
        .join(toText(a.d ?? '')),
  },
  first: { fn: (v) => asList(v, 'first')[0] },
  last: { fn: (v) => asList(v, 'last').at(-1) },
  min: { params: ['attribute'], fn: (v, a) => [...asList(v, 'min')].sort((x, y) => cmp(keyed(a)(x), keyed(a)(y)))[0] },
  max: {
    params: ['attribute'],
    fn: (v, a) => [...asList(v, 'max')].sort((x, y) => cmp(keyed(a)(x), keyed(a)(y))).at(-1),
  },
  unique: {
    params: ['case_sensitive', 'attribute'],
    fn: (v, a) => {
      const out: unknown[] = [];
      const seen: unknown[] = [];
      for (const x of asList(v, 'unique')) {
        const k = keyed({ ...a, case_sensitive: a.case_sensitive ?? true })(x);
        if (!seen.some((s) => equal(s, k))) {
          seen.push(k);
          out.push(x);
        }
      }
      return out;
    },
  },
  sort: {
    params: ['reverse', 'case_sensitive', 'attribute'],
    fn: (v, a) => {
      const out = [...asList(v, 'sort')].sort((x, y) => cmp(keyed(a)(x), keyed(a)(y)));
      return a.reverse === true ? out.reverse() : out;
    },
  },
  reverse: { fn: (v) => (typeof v === 'string' ? [...v].reverse().join('') : [...asList(v, 'reverse')].reverse()) },
  flatten: { params: ['levels'], fn: (v, a) => flatten(asList(v, 'flatten'), a.levels as number | undefined) },
  zip: {
    params: ['other'],
    fn: (v, a) => {
      const l = asList(v, 'zip');
      const o = asList(a.other ?? [], 'zip');
      return l.slice(0, Math.min(l.length, o.length)).map((x, i) => [x, o[i]]);
    },
  },
  list: { fn: (v) => asList(v, 'list') },
  sum: {
    params: ['attribute', 'start'],
    fn: (v, a) =>
      asList(v, 'sum').reduce<number>(
        (s, x) => s + Number(a.attribute === undefined ? x : attr(x, a.attribute)),
        Number(a.start ?? 0),
      ),
  },
  select: selecting(true, false),
  reject: selecting(false, false),
  selectattr: selecting(true, true),
  rejectattr: selecting(false, true),
  map: {
    params: ['filter', 'arg1', 'arg2', 'attribute', 'default'],
    fn: (v, a) =>
      asList(v, 'map').map((x) => {
        if (a.attribute !== undefined) {
          const got = attr(x, a.attribute);
          return got === undefined ? a.default : got;
        }
        if (a.filter === undefined) throw new TypeUse('map needs a filter name or attribute=');
        const extra = [a.arg1, a.arg2].filter((y) => y !== undefined);
        return callFilter(String(a.filter), x, extra);
      }),
  },
  batch: {
    params: ['size'],
    fn: (v, a) => {
      const l = asList(v, 'batch');
      const n = Math.max(1, Number(a.size));
      return Array.from({ length: Math.ceil(l.length / n) }, (_, i) => l.slice(i * n, i * n + n));
    },
  },
};
