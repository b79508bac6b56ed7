// Evaluating a branch condition at load time, where it can be: literals, known vars, tests, filters and operators; anything else is unknown.
import { callFilter, callTest } from './registry.js';
import * as py from './python.js';
import { Undefined, pyTruthy as conditionTruth } from './values.js';
import { accessPath, type AstNode, type GateWant } from './references.js';

/** Names the template binds itself ({% set %}, loop targets): never known at load. */
export type Bound = { has(name: string): boolean };

/** What evaluation at load gives: a value (possibly Undefined), or UNKNOWN when it cannot be known before the run. */
export const UNKNOWN: unique symbol = Symbol('unknown at load');
export type LoadValue = unknown;

/** A name's value at load: the value, UNKNOWN (set at run time, or a template), or an Undefined. */
export type NameValue = (name: string) => LoadValue;

/** Thrown (one shared value, no stack to build) when a part cannot be known at load. */
const UNKNOWABLE = { unknowable: true };

const known = (v: LoadValue): unknown => {
  if (v === UNKNOWN) throw UNKNOWABLE;
  return v;
};

const children = (n: AstNode): AstNode[] => ((n as unknown as { children?: AstNode[] }).children ?? []).filter(Boolean);

const ARITH: Record<string, string> = { Sub: '-', Mul: '*', Div: '/', FloorDiv: '//', Mod: '%', Pow: '**' };

function value(n: AstNode, lookup: NameValue, bound: Bound): unknown {
  switch (n.typename) {
    case 'Literal':
      return n.value;
    case 'Symbol': {
      const name = String(n.value);
      if (bound.has(name)) throw UNKNOWABLE;
      return known(lookup(name));
    }
    case 'LookupVal': {
      const p = accessPath(n);
      if (p?.computed.length === 0 && bound.has(String(p.root.value))) throw UNKNOWABLE;
      const target = value(n.target as AstNode, lookup, bound);
      const key = value(n.val as AstNode, lookup, bound);
      const got = py.lookup('?', target, key);
      // a method (`d.items`) is only useful called, which is never evaluated here
      if (typeof got === 'function') throw UNKNOWABLE;
      return got;
    }
    case 'Group': {
      const c = children(n);
      if (c.length !== 1) return c.map((x) => value(x, lookup, bound));
      return value(c[0]!, lookup, bound);
    }
    case 'Array':
      return children(n).map((x) => value(x, lookup, bound));
    case 'Not':
      return !py.truthy(value(n.target as AstNode, lookup, bound));
    case 'And': {
      const l = value(n.left as AstNode, lookup, bound);
      return py.truthy(l) ? value(n.right as AstNode, lookup, bound) : l;
    }
    case 'Or': {
      const l = value(n.left as AstNode, lookup, bound);
      return py.truthy(l) ? l : value(n.right as AstNode, lookup, bound);
    }
    case 'InlineIf':
      return py.truthy(value(n.cond as AstNode, lookup, bound))
        ? value(n.body as AstNode, lookup, bound)
        : n.else_
          ? value(n.else_ as AstNode, lookup, bound)
          : null;
    case 'Compare': {
      let left = value(n.expr as AstNode, lookup, bound);
      for (const op of (n.ops as { type: string; expr: AstNode }[]) ?? []) {
        const right = value(op.expr, lookup, bound);
        if (!py.compare(left, op.type, right)) return false;
        left = right;
      }
      return true;
    }
    case 'In':
      return py.inOperator(value(n.left as AstNode, lookup, bound), value(n.right as AstNode, lookup, bound));
    case 'Add':
      return py.add(value(n.left as AstNode, lookup, bound), value(n.right as AstNode, lookup, bound));
    case 'Concat':
      return py.concat(value(n.left as AstNode, lookup, bound), value(n.right as AstNode, lookup, bound));
    case 'Is': {
      const right = n.right as AstNode;
      const name = right.typename === 'FunCall' ? String((right.name as AstNode).value) : String(right.value ?? 'none');
      const args = right.typename === 'FunCall' ? plainArgs(right.args as AstNode, lookup, bound) : [];
      return callTest(name === 'null' ? 'none' : name, value(n.left as AstNode, lookup, bound), args);
    }
    case 'Filter': {
      const [subject, ...rest] = children(n.args as AstNode);
      if (!subject) throw UNKNOWABLE;
      const args = plainArgs({ ...n, children: rest } as unknown as AstNode, lookup, bound);
      return callFilter(String((n.name as AstNode).value), value(subject, lookup, bound), args);
    }
    default:
      if (ARITH[n.typename])
        return py.arith(
          ARITH[n.typename]!,
          value(n.left as AstNode, lookup, bound),
          value(n.right as AstNode, lookup, bound),
        );
      // calls (lookup, query, range, methods), dicts, slices: never run at load
      throw UNKNOWABLE;
  }
}

/** Positional arguments only (keyword arguments are left to the run). */
function plainArgs(list: AstNode, lookup: NameValue, bound: Bound): unknown[] {
  return children(list).map((a) => {
    if (a.typename === 'KeywordArgs') throw UNKNOWABLE;
    return value(a, lookup, bound);
  });
}

const NONE: Bound = { has: () => false };

/** The node's value at load, or UNKNOWN when any part of it cannot be known (or fails: the run reports that). */
export function evaluateAtLoad(n: AstNode, lookup: NameValue, bound: Bound = NONE): LoadValue {
  try {
    return value(n, lookup, bound);
  } catch {
    return UNKNOWN;
  }
}

/** Whether a branch is known to be taken: true or false when the condition is known, undefined when it is not. */
export function branchTaken(n: AstNode, want: GateWant, lookup: NameValue, bound: Bound): boolean | undefined {
  const v = evaluateAtLoad(n, lookup, bound);
  if (v === UNKNOWN) return undefined;
  if (want === 'undefined') return v instanceof Undefined;
  if (v instanceof Undefined) return undefined;
  try {
    if (want === 'condition') return conditionTruth(v);
    if (want === 'truthy' || want === 'falsy') return py.truthy(v) === (want === 'truthy');
    const n =
      Array.isArray(v) || typeof v === 'string'
        ? v.length
        : v && typeof v === 'object'
          ? Object.keys(v).length
          : undefined;
    return n === undefined ? undefined : n > 0 === (want === 'nonempty');
  } catch {
    return undefined;
  }
}
