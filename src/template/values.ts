// Values as Jinja2 under Ansible sees them: the Undefined value, truthiness, equality and how a value prints.
/** A missing variable or attribute; `name` is the first path found missing ("result.stdout"). */
export class Undefined {
  constructor(readonly name: string) {}
}

/**
 * The last UndefinedUse or TypeUse thrown: nunjucks wraps errors thrown while rendering into its
 * own TemplateError (message only), so the renderer takes the original from here.
 */
let last: Error | undefined;
export function takeLastUse(): Error | undefined {
  const e = last;
  last = undefined;
  return e;
}

/** Using an undefined value for anything but `is defined` / `default` (caught and located by the renderer). */
export class UndefinedUse extends Error {
  constructor(readonly variable: string) {
    super(`"${variable}" is undefined`);
    last = this;
  }
}

/** A value that fails a filter or an operator (the renderer adds the template and location). */
export class TypeUse extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    last = this;
  }
}

/** The value itself, or an UndefinedUse naming the missing variable. */
export function defined<T>(v: T | Undefined): T {
  if (v instanceof Undefined) throw new UndefinedUse(v.name);
  return v;
}

export const isDict = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Undefined);

export function typeName(v: unknown): string {
  if (v === null || v === undefined) return 'NoneType';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'string') return 'str';
  if (Array.isArray(v)) return 'list';
  if (v instanceof Undefined) return 'undefined';
  return 'dict';
}

/**
 * Jinja's truthiness, Python's: inside templates (`{% if %}`, `and`, `or`, `not`) and for conditions
 * (`when`, `until`, `changed_when`, `failed_when`), which ansible-core 2.14 evaluates as
 * `{% if COND %}`: every non-empty string is true, also "false" (so `-e flag=false` makes `when: flag` true).
 */
export function pyTruthy(v: unknown): boolean {
  defined(v);
  if (v === null || v === undefined) return false;
  if (typeof v === 'string') return v.length > 0;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return Boolean(v);
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
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && equal(a[k], b[k]));
  }
  return false;
}

const MAX_DEPTH = 200;

/** Python's repr, as Ansible prints a value nested in text: `{'a': 1}`, `[1, 'x', True, None]`. */
export function repr(v: unknown, depth = 0): string {
  if (depth > MAX_DEPTH) throw new TypeUse(`a value nested deeper than ${MAX_DEPTH} levels`);
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'string') return v.includes("'") && !v.includes('"') ? `"${v}"` : `'${v.replace(/'/g, "\\'")}'`;
  if (typeof v === 'number') return String(v);
  if (v instanceof Undefined) throw new UndefinedUse(v.name);
  if (Array.isArray(v)) return `[${v.map((x) => repr(x, depth + 1)).join(', ')}]`;
  return `{${Object.entries(v as object)
    .map(([k, x]) => `${repr(k)}: ${repr(x, depth + 1)}`)
    .join(', ')}}`;
}

/** How a value appears inside a larger string, as Ansible renders it: None as "", True, lists in Python form. */
export function toText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'object' || typeof v === 'boolean') return repr(v);
  return String(v);
}

/** A short description for type errors: `int 3`, `str "abc"`. */
export function describeValue(v: unknown): string {
  const t = typeName(v);
  if (t === 'str') return `str ${JSON.stringify(String(v).length > 40 ? `${String(v).slice(0, 40)}…` : v)}`;
  if (t === 'int' || t === 'float' || t === 'bool') return `${t} ${String(v)}`;
  return t;
}

/** A TemplateError-free check for data depth (deep JSON or YAML from a host): a clear error, never a stack overflow. */
export function checkDepth(v: unknown, depth = 0): void {
  if (depth > MAX_DEPTH) throw new TypeUse(`a value nested deeper than ${MAX_DEPTH} levels`);
  if (Array.isArray(v)) for (const x of v) checkDepth(x, depth + 1);
  else if (isDict(v)) for (const x of Object.values(v)) checkDepth(x, depth + 1);
}
