// Python's operators and methods for Jinja2 values: `+` on lists, `~`, comparisons, `in`, slices, `.split()`, `.items()`.
import { TypeUse, Undefined, UndefinedUse, defined, describeValue, equal, isDict, pyTruthy, toText } from './values.js';

const str = (s: string) => ({
  split: (sep?: string | null, max?: number) => {
    const parts = sep == null ? s.trim().split(/\s+/).filter(Boolean) : s.split(sep);
    if (max === undefined || max < 0 || parts.length <= max + 1) return parts;
    return [...parts.slice(0, max), parts.slice(max).join(sep ?? ' ')];
  },
  splitlines: () => s.split(/\r?\n/).filter((l, i, a) => i < a.length - 1 || l !== ''),
  strip: (chars?: string) => (chars ? stripChars(s, chars, true, true) : s.trim()),
  lstrip: (chars?: string) => (chars ? stripChars(s, chars, true, false) : s.trimStart()),
  rstrip: (chars?: string) => (chars ? stripChars(s, chars, false, true) : s.trimEnd()),
  startswith: (p: string | string[]) => (Array.isArray(p) ? p.some((x) => s.startsWith(x)) : s.startsWith(p)),
  endswith: (p: string | string[]) => (Array.isArray(p) ? p.some((x) => s.endsWith(x)) : s.endsWith(p)),
  upper: () => s.toUpperCase(),
  lower: () => s.toLowerCase(),
  capitalize: () => s.charAt(0).toUpperCase() + s.slice(1).toLowerCase(),
  title: () => s.replace(/\w\S*/g, (w) => w.charAt(0).toUpperCase() + w.slice(1).toLowerCase()),
  replace: (a: string, b: string) => s.split(a).join(b),
  find: (x: string) => s.indexOf(x),
  count: (x: string) => s.split(x).length - 1,
  join: (xs: unknown[]) => xs.map(toText).join(s),
  isdigit: () => /^\d+$/.test(s),
  format: (...args: unknown[]) => {
    let i = 0;
    return s.replace(/\{(\d*)\}/g, (_, n: string) => toText(args[n === '' ? i++ : Number(n)]));
  },
});

function stripChars(s: string, chars: string, left: boolean, right: boolean): string {
  let a = 0;
  let b = s.length;
  while (left && a < b && chars.includes(s[a]!)) a++;
  while (right && b > a && chars.includes(s[b - 1]!)) b--;
  return s.slice(a, b);
}

const list = (l: unknown[]) => ({
  index: (x: unknown) => l.findIndex((y) => equal(x, y)),
  count: (x: unknown) => l.filter((y) => equal(x, y)).length,
  append: (x: unknown) => void l.push(x),
  extend: (xs: unknown[]) => void l.push(...xs),
});

const dict = (d: Record<string, unknown>) => ({
  items: () => Object.entries(d),
  keys: () => Object.keys(d),
  values: () => Object.values(d),
  get: (k: string, dflt: unknown = null) => (Object.hasOwn(d, k) ? d[k] : dflt),
  update: (o: Record<string, unknown>) => void Object.assign(d, o),
});

type Methods = Record<string, (...a: never[]) => unknown>;

/** A Python method of a value (`'a b'.split`), or undefined. */
function methodOf(obj: unknown, name: string): ((...a: unknown[]) => unknown) | undefined {
  const table: Methods | undefined =
    typeof obj === 'string' ? str(obj) : Array.isArray(obj) ? list(obj) : isDict(obj) ? dict(obj) : undefined;
  return table && Object.hasOwn(table, name) ? (table[name] as (...a: unknown[]) => unknown) : undefined;
}

const pathOf = (base: string, key: unknown) =>
  typeof key === 'number'
    ? `${base}[${key}]`
    : /^[A-Za-z_]\w*$/.test(String(key))
      ? `${base}.${String(key)}`
      : `${base}[${JSON.stringify(String(key))}]`;

function slice(obj: unknown, start: number | null, stop: number | null, step: number | null): unknown {
  const s = defined(obj);
  if (typeof s !== 'string' && !Array.isArray(s)) throw new TypeUse(`cannot slice ${describeValue(s)}`);
  const len = s.length;
  const by = step ?? 1;
  if (by === 0) throw new TypeUse('slice step cannot be zero');
  const norm = (i: number | null, dflt: number) =>
    i === null ? dflt : i < 0 ? Math.max(i + len, by < 0 ? -1 : 0) : Math.min(i, len);
  const a = norm(start, by > 0 ? 0 : len - 1);
  const b = norm(stop, by > 0 ? len : -1);
  const out: unknown[] = [];
  for (let i = a; by > 0 ? i < b : i > b; i += by) out.push(s[i]);
  return typeof s === 'string' ? out.join('') : out;
}

/**
 * `x.y` and `x[k]`: own properties only (never `constructor` or `__proto__`), Python methods of
 * strings, lists and dicts, negative indexes; a missing one is an Undefined naming its path.
 */
export function lookup(base: string, obj: unknown, key: unknown, ...sliceArgs: unknown[]): unknown {
  if (sliceArgs.length === 2)
    return slice(obj, key as number | null, sliceArgs[0] as number | null, sliceArgs[1] as number | null);
  if (obj instanceof Undefined) return obj;
  const path = pathOf(base, key);
  if (typeof key === 'string' || typeof key === 'number') {
    if ((Array.isArray(obj) || typeof obj === 'string') && typeof key === 'number') {
      const i = key < 0 ? key + obj.length : key;
      return i >= 0 && i < obj.length ? obj[i] : new Undefined(path);
    }
    if (isDict(obj) && Object.hasOwn(obj, key)) return obj[key];
    const m = typeof key === 'string' ? methodOf(obj, key) : undefined;
    if (m) return m;
  }
  return new Undefined(path);
}

export function call(fn: unknown, name: string, context: unknown, args: unknown[]): unknown {
  if (fn instanceof Undefined) throw new UndefinedUse(fn.name);
  if (typeof fn !== 'function') throw new TypeUse(`${name} is not callable`);
  return fn.apply(context, args.map(defined));
}

/** Python's `+`: numbers add, strings and lists concatenate, anything else is a type error. */
export function add(a: unknown, b: unknown): unknown {
  defined(a);
  defined(b);
  if (typeof a === 'number' && typeof b === 'number') return a + b;
  if (typeof a === 'string' && typeof b === 'string') return a + b;
  if (Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
  throw new TypeUse(`cannot add ${describeValue(b)} to ${describeValue(a)}`);
}

const num = (v: unknown) => typeof v === 'number' || typeof v === 'boolean';

/** Python's `%` on strings (and the `format` filter): printf-style formatting with one value or a list of values. */
export function percentFormat(fmt: string, args: unknown): string {
  const values = Array.isArray(args) ? args : [args];
  let i = 0;
  return fmt.replace(
    /%([-0 #+]*)(\d*)(?:\.(\d+))?([sdrif%])/g,
    (_, flags: string, width: string, prec: string, conv: string) => {
      if (conv === '%') return '%';
      const x = values[i++];
      let out =
        conv === 'd' || conv === 'i'
          ? String(Math.trunc(Number(x)))
          : conv === 'f'
            ? Number(x).toFixed(prec ? Number(prec) : 6)
            : toText(x);
      const w = Number(width || 0);
      if (out.length < w)
        out = flags.includes('-') ? out.padEnd(w) : out.padStart(w, flags.includes('0') && conv !== 's' ? '0' : ' ');
      return out;
    },
  );
}

/** Python's `-`, `*`, `/`, `//`, `%`, `**`: numbers only (plus `str * int` and `str % args`), division by zero an error. */
export function arith(op: string, a: unknown, b: unknown): unknown {
  defined(a);
  defined(b);
  if (op === '%' && typeof a === 'string') return percentFormat(a, b);
  if (op === '*' && typeof a === 'string' && typeof b === 'number') return a.repeat(Math.max(0, b));
  if (op === '*' && Array.isArray(a) && typeof b === 'number')
    return Array.from({ length: Math.max(0, b) }, () => a).flat();
  if (!num(a) || !num(b)) throw new TypeUse(`cannot apply "${op}" to ${describeValue(a)} and ${describeValue(b)}`);
  const x = Number(a);
  const y = Number(b);
  if ((op === '/' || op === '//' || op === '%') && y === 0) throw new TypeUse('division by zero');
  switch (op) {
    case '-':
      return x - y;
    case '*':
      return x * y;
    case '/':
      return x / y;
    case '//':
      return Math.floor(x / y);
    case '%':
      return ((x % y) + y) % y;
    default:
      return x ** y;
  }
}

export const concat = (a: unknown, b: unknown): string => toText(defined(a)) + toText(defined(b));

function order(a: unknown, b: unknown, op: string): boolean {
  const ok =
    (typeof a === 'number' && typeof b === 'number') ||
    (typeof a === 'string' && typeof b === 'string') ||
    (typeof a === 'boolean' && typeof b === 'number') ||
    (typeof a === 'number' && typeof b === 'boolean');
  if (!ok) {
    const numeric = (x: unknown, y: unknown) =>
      typeof x === 'string' && x.trim() !== '' && !Number.isNaN(Number(x)) && typeof y === 'number';
    const hint = numeric(a, b) || numeric(b, a) ? 'convert with "| int" or "| float"' : undefined;
    throw new TypeUse(`cannot compare ${describeValue(a)} ${op} ${describeValue(b)}`, hint);
  }
  const x = a as number;
  const y = b as number;
  return op === '<' ? x < y : op === '>' ? x > y : op === '<=' ? x <= y : x >= y;
}

/** Python comparisons: `==` compares lists and dicts by value; ordering only between numbers or between strings. */
export function compare(a: unknown, op: string, b: unknown): boolean {
  defined(a);
  defined(b);
  if (op === '==' || op === '===') return equal(a, b);
  if (op === '!=' || op === '!==') return !equal(a, b);
  return order(a, b, op);
}

/** Python's `in`: substring, list member, dict key. */
export function inOperator(key: unknown, container: unknown): boolean {
  defined(key);
  const c = defined(container);
  if (typeof c === 'string') {
    if (typeof key !== 'string')
      throw new TypeUse(`"in <string>" needs a string on the left, got ${describeValue(key)}`);
    return c.includes(key);
  }
  if (Array.isArray(c)) return c.some((x) => equal(x, key));
  if (isDict(c)) return typeof key === 'string' && Object.hasOwn(c, key);
  throw new TypeUse(`cannot look for a value in ${describeValue(c)}`);
}

export const truthy = pyTruthy;
