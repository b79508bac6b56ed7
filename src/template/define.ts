// How a filter, test or global is declared: named parameters filled from positional and keyword arguments, like Python.
import { TypeUse, Undefined, defined } from './values.js';

export type Args = Record<string, unknown>;

export interface Definition {
  /** Parameter names after the value, in Python's order (`sort(reverse, case_sensitive, attribute)`). */
  params?: string[];
  fn: (value: unknown, args: Args) => unknown;
  /** Receives an Undefined value instead of failing (default, mandatory, is defined). */
  acceptsUndefined?: boolean;
}

export type Family = Record<string, Definition>;

const isKeywords = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && Object.hasOwn(v, '__keywords');

/** The JS function nunjucks calls: `value | name(a, b, key=c)` arrives as (value, a, b, {key: c, __keywords}). */
export function toNunjucks(name: string, d: Definition): (value: unknown, ...rest: unknown[]) => unknown {
  const params = d.params ?? [];
  return (value: unknown, ...rest: unknown[]) => {
    const kw = rest.length > 0 && isKeywords(rest.at(-1)) ? (rest.pop() as Record<string, unknown>) : {};
    if (rest.length > params.length) throw new TypeUse(`${name} takes at most ${params.length} argument(s)`);
    const args: Args = {};
    rest.forEach((v, i) => {
      args[params[i]!] = v;
    });
    for (const [k, v] of Object.entries(kw)) {
      if (k === '__keywords') continue;
      if (!params.includes(k)) throw new TypeUse(`${name} got an unexpected keyword argument "${k}"`);
      args[k] = v;
    }
    if (!d.acceptsUndefined) {
      defined(value);
      for (const v of Object.values(args)) if (v instanceof Undefined) defined(v);
    }
    return d.fn(value, args);
  };
}

export const asList = (v: unknown, name: string): unknown[] => {
  if (Array.isArray(v)) return v;
  if (typeof v === 'string') return [...v];
  if (v !== null && typeof v === 'object') return Object.keys(v);
  throw new TypeUse(`${name} expects a list`);
};

export const asString = (v: unknown): string =>
  typeof v === 'string' ? v : v === null || v === undefined ? '' : String(v);
