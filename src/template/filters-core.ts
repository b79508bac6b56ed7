// Filters every playbook uses: default/d (with omit), mandatory, bool, int, float, string, abs, length, ternary.
import { type Family, asString } from './define.js';
import { TypeUse, Undefined, UndefinedUse, isDict, pyTruthy, toBool, toText } from './values.js';

/** The value of `omit`: a param rendered to it is dropped, as in Ansible. */
export const OMIT = '__omit_place_holder__stackplay';

function toInt(v: unknown, dflt: unknown, base: unknown): number {
  if (typeof v === 'number') return Math.trunc(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  const s = asString(v).trim();
  const b = typeof base === 'number' ? base : 10;
  const n = b === 10 ? Number(s) : Number.parseInt(s.replace(/^0[xob]/i, ''), b);
  return Number.isFinite(n) && s !== '' ? Math.trunc(n) : (dflt as number);
}

const dflt = {
  params: ['default_value', 'boolean'],
  acceptsUndefined: true,
  fn: (v: unknown, a: Record<string, unknown>) => {
    const fallback = a.default_value ?? '';
    if (v instanceof Undefined) return fallback;
    return a.boolean === true && !pyTruthy(v) ? fallback : v;
  },
};

export const coreFilters: Family = {
  default: dflt,
  d: dflt,
  mandatory: {
    params: ['msg'],
    acceptsUndefined: true,
    fn: (v, a) => {
      if (!(v instanceof Undefined)) return v;
      if (a.msg !== undefined) throw new TypeUse(asString(a.msg));
      throw new UndefinedUse(v.name);
    },
  },
  bool: { fn: (v) => (v === null ? false : toBool(v)) },
  int: { params: ['default', 'base'], fn: (v, a) => toInt(v, a.default ?? 0, a.base) },
  float: {
    params: ['default'],
    fn: (v, a) => {
      const n = typeof v === 'number' ? v : Number(asString(v).trim());
      return Number.isFinite(n) && asString(v).trim() !== '' ? n : (a.default ?? 0);
    },
  },
  string: { fn: (v) => toText(v === null ? 'None' : v) },
  abs: {
    fn: (v) => {
      if (typeof v === 'number') return Math.abs(v);
      if (typeof v === 'boolean') return v ? 1 : 0;
      throw new TypeUse(
        `bad operand type for abs(): '${v === null ? 'NoneType' : typeof v === 'string' ? 'str' : isDict(v) ? 'dict' : Array.isArray(v) ? 'list' : typeof v}'`,
      );
    },
  },
  length: {
    fn: (v) => {
      if (typeof v === 'string' || Array.isArray(v)) return v.length;
      if (isDict(v)) return Object.keys(v).length;
      throw new TypeUse(`object of type ${v === null ? "'NoneType'" : typeof v} has no len()`);
    },
  },
  ternary: {
    params: ['true_val', 'false_val', 'none_val'],
    fn: (v, a) => (v === null && a.none_val !== undefined ? a.none_val : pyTruthy(v) ? a.true_val : a.false_val),
  },
};
coreFilters.count = coreFilters.length!;
