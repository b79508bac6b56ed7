// Values in conditions and templates: Jinja-like truthiness, equality, type names and text.
import { ExprError } from './errors.js';

/** A missing variable or attribute; `name` is the first path found missing ("result.stdout"). */
export class Undefined {
  constructor(readonly name: string) {}
}

export const isUndefined = (v: unknown): v is Undefined => v instanceof Undefined;

export function typeName(v: unknown): string {
  if (v === null || v === undefined) return 'none';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return 'number';
  if (typeof v === 'string') return 'string';
  if (Array.isArray(v)) return 'list';
  if (v instanceof Undefined) return 'undefined';
  return 'dict';
}

export const isDict = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Undefined);

/**
 * Python truthiness, except that strings spelling a boolean false ("false", "no", "off") are
 * false: `-e flag=false` arrives as a string, and `when: flag` must then mean false.
 */
export function truthy(v: unknown): boolean {
  if (v instanceof Undefined) throw new ExprError('E_EXPR_UNDEFINED', `"${v.name}" is undefined`, v.name);
  if (v === null || v === undefined) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0 && !Number.isNaN(v);
  if (typeof v === 'string') return !['', 'false', 'no', 'off'].includes(v.trim().toLowerCase());
  if (Array.isArray(v)) return v.length > 0;
  return Object.keys(v as object).length > 0;
}

/** Ansible's `bool` filter. */
export function toBool(v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v === 1;
  if (typeof v === 'string') return ['yes', 'on', '1', 'true', 'y'].includes(v.trim().toLowerCase());
  return false;
}

export function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || a === undefined) return b === null || b === undefined;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => equal(x, b[i]));
  if (isDict(a) && isDict(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && equal(a[k], b[k]));
  }
  return false;
}

/** How a value appears inside a larger string: lists and dicts as JSON, none as empty. */
export function toText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** A short description for type errors: `number 3`, `string "abc"`. */
export function describeValue(v: unknown): string {
  const t = typeName(v);
  if (t === 'string') return `string ${JSON.stringify(String(v).length > 40 ? `${String(v).slice(0, 40)}…` : v)}`;
  if (t === 'number' || t === 'bool') return `${t} ${String(v)}`;
  return t;
}

const regexCache = new Map<string, RegExp>();

/** A Python `re` pattern as a JS RegExp (named groups and inline flags translated). */
export function toRegExp(pattern: string, mode: 'match' | 'search'): RegExp {
  const key = `${mode}\0${pattern}`;
  let re = regexCache.get(key);
  if (!re) {
    let flags = mode === 'match' ? 'y' : '';
    let src = pattern.replace(/^\(\?([aiLmsux]+)\)/, (_, f: string) => {
      for (const c of f) if ('ims'.includes(c)) flags += c;
      return '';
    });
    src = src
      .replace(/\(\?P</g, '(?<')
      .replace(/\(\?P=(\w+)\)/g, '\\k<$1>')
      .replace(/\\A/g, '^')
      .replace(/\\Z/g, '$');
    re = new RegExp(src, flags);
    regexCache.set(key, re);
  }
  re.lastIndex = 0;
  return re;
}
