// Evaluating a condition's syntax tree against variables; missing names become Undefined values.
import type { Ast, CompareOp, MathOp } from './expr-ast.js';
import { ExprError } from './errors.js';
import { FILTERS, METHODS, TESTS } from './expr-functions.js';
import { Undefined, describeValue, equal, isDict, toText, truthy } from './expr-values.js';

const typeError = (what: string, hint?: string) => new ExprError('E_EXPR_TYPE', what, undefined, hint);

function pathName(node: Ast, key?: unknown): string {
  const base =
    node.k === 'var'
      ? node.name
      : node.k === 'get' && node.key.k === 'lit'
        ? pathName(node.obj, node.key.v)
        : '(value)';
  if (key === undefined) return base;
  return typeof key === 'string' && /^[A-Za-z_]\w*$/.test(key) ? `${base}.${key}` : `${base}[${JSON.stringify(key)}]`;
}

function lookupVar(vars: Record<string, unknown>, name: string): unknown {
  if (Object.hasOwn(vars, name)) return vars[name] === undefined ? new Undefined(name) : vars[name];
  // Ansible's magic `vars`: every variable, for `vars['name_' + suffix]`.
  if (name === 'vars') return vars;
  return new Undefined(name);
}

function getKey(obj: unknown, key: unknown, name: () => string): unknown {
  if (isDict(obj)) {
    const k = toText(key);
    return Object.hasOwn(obj, k) && obj[k] !== undefined ? obj[k] : new Undefined(name());
  }
  if (Array.isArray(obj) || typeof obj === 'string') {
    const n = typeof key === 'number' ? key : typeof key === 'string' && /^-?\d+$/.test(key) ? Number(key) : NaN;
    if (!Number.isInteger(n)) return new Undefined(name());
    const item = obj[n < 0 ? obj.length + n : n];
    return item === undefined ? new Undefined(name()) : item;
  }
  return new Undefined(name());
}

function contains(container: unknown, item: unknown): boolean {
  if (typeof container === 'string') {
    if (typeof item !== 'string')
      throw typeError(`"in <string>" needs a string on the left, got ${describeValue(item)}`);
    return container.includes(item);
  }
  if (Array.isArray(container)) return container.some((x) => equal(x, item));
  if (isDict(container)) return Object.hasOwn(container, toText(item));
  throw typeError(`"in" needs a string, list or dict on the right, got ${describeValue(container)}`);
}

const orderable = (v: unknown): number | string | undefined =>
  typeof v === 'number' || typeof v === 'string' ? v : typeof v === 'boolean' ? Number(v) : undefined;

function compare(op: CompareOp, a: unknown, b: unknown): boolean {
  switch (op) {
    case '==':
      return equal(a, b);
    case '!=':
      return !equal(a, b);
    case 'in':
      return contains(b, a);
    case 'not in':
      return !contains(b, a);
  }
  const x = orderable(a);
  const y = orderable(b);
  if (x === undefined || y === undefined || typeof x !== typeof y) {
    const numeric = (v: unknown) => typeof v === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(v);
    throw typeError(
      `cannot compare ${describeValue(a)} ${op} ${describeValue(b)}`,
      numeric(a) || numeric(b) ? 'convert with "| int" or "| float"' : undefined,
    );
  }
  return op === '<' ? x < y : op === '>' ? x > y : op === '<=' ? x <= y : x >= y;
}

function math(op: MathOp, a: unknown, b: unknown): unknown {
  if (op === '~') return toText(a) + toText(b);
  if (op === '+' && typeof a === 'string' && typeof b === 'string') return a + b;
  if (op === '+' && Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
  const x = typeof a === 'boolean' ? Number(a) : a;
  const y = typeof b === 'boolean' ? Number(b) : b;
  if (typeof x !== 'number' || typeof y !== 'number')
    throw typeError(`cannot apply "${op}" to ${describeValue(a)} and ${describeValue(b)}`);
  if (y === 0 && ['/', '//', '%'].includes(op)) throw typeError('division by zero');
  switch (op) {
    case '+':
      return x + y;
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

/** Evaluates to a value, or an Undefined for a missing variable or attribute. */
export function evaluate(n: Ast, vars: Record<string, unknown>): unknown {
  const val = (node: Ast): unknown => {
    const v = evaluate(node, vars);
    if (v instanceof Undefined) throw new ExprError('E_EXPR_UNDEFINED', `"${v.name}" is undefined`, v.name);
    return v;
  };
  switch (n.k) {
    case 'lit':
      return n.v;
    case 'var':
      return lookupVar(vars, n.name);
    case 'list':
      return n.items.map(val);
    case 'dict':
      return Object.fromEntries(n.entries.map(([k, v]) => [toText(val(k)), val(v)]));
    case 'get': {
      const obj = evaluate(n.obj, vars);
      if (obj instanceof Undefined) return obj;
      const key = val(n.key);
      return getKey(obj, key, () => pathName(n.obj, key));
    }
    case 'call':
      return METHODS[n.method]!(val(n.obj), n.args.map(val));
    case 'not':
      return !truthy(val(n.e));
    case 'neg':
      return math('-', 0, val(n.e));
    case 'and': {
      const l = val(n.l);
      return truthy(l) ? val(n.r) : l;
    }
    case 'or': {
      const l = val(n.l);
      return truthy(l) ? l : val(n.r);
    }
    case 'cmp':
      return compare(n.op, val(n.l), val(n.r));
    case 'math':
      return math(n.op, val(n.l), val(n.r));
    case 'cond':
      return truthy(val(n.test)) ? val(n.then) : n.else ? val(n.else) : null;
    case 'test': {
      const v = evaluate(n.e, vars);
      let r: boolean;
      if (n.name === 'defined' || n.name === 'undefined') r = v instanceof Undefined === (n.name === 'undefined');
      else r = Boolean(TESTS[n.name]!(v instanceof Undefined ? val(n.e) : v, n.args.map(val)));
      return n.negate ? !r : r;
    }
    case 'filter': {
      const v = evaluate(n.e, vars);
      const args = n.args.map(val);
      if (n.name === 'default' || n.name === 'd')
        return v instanceof Undefined ? (args[0] ?? '') : FILTERS.default!(v, args);
      return FILTERS[n.name]!(v instanceof Undefined ? val(n.e) : v, args);
    }
  }
}
