// Handlebars helpers named after the Ansible filters people reach for: {{default x 'a'}}, {{join list ", "}}.
import type { HelperDelegate } from 'handlebars';
import { equal, isDict, toText, truthy } from './expr-values.js';

/** Thrown when a helper is handed an undefined value; the renderer finds which variable it was. */
export class HelperUndefined extends Error {}

const need = (v: unknown, helper: string): unknown => {
  if (v === undefined) throw new HelperUndefined(`${helper}: argument is undefined`);
  return v;
};

/** Handlebars passes its options object last; helpers see only their own arguments. */
const plain =
  (fn: (...args: unknown[]) => unknown): HelperDelegate =>
  (...args: unknown[]) =>
    fn(...args.slice(0, -1));

const text = (v: unknown, helper: string) => toText(need(v, helper));

export const helpers: Record<string, HelperDelegate> = {
  default: plain((v, fallback = '') => (v === undefined || v === null ? fallback : v)),
  join: plain((list, sep = ',') => {
    const items = need(list, 'join');
    return Array.isArray(items) ? items.map(toText).join(toText(sep)) : toText(items);
  }),
  upper: plain((v) => text(v, 'upper').toUpperCase()),
  lower: plain((v) => text(v, 'lower').toLowerCase()),
  trim: plain((v) => text(v, 'trim').trim()),
  json: plain((v) => JSON.stringify(need(v, 'json'))),
  length: plain((v) => {
    const x = need(v, 'length');
    if (typeof x === 'string' || Array.isArray(x)) return x.length;
    return isDict(x) ? Object.keys(x).length : 0;
  }),
  int: plain((v) => Math.trunc(Number(need(v, 'int'))) || 0),
  eq: plain((a, b) => equal(a, b)),
  ne: plain((a, b) => !equal(a, b)),
  lt: plain((a, b) => (a as number) < (b as number)),
  gt: plain((a, b) => (a as number) > (b as number)),
  le: plain((a, b) => (a as number) <= (b as number)),
  ge: plain((a, b) => (a as number) >= (b as number)),
  lte: plain((a, b) => (a as number) <= (b as number)),
  gte: plain((a, b) => (a as number) >= (b as number)),
  and: plain((...xs) => xs.every((x) => truthy(x ?? null))),
  or: plain((...xs) => xs.some((x) => truthy(x ?? null))),
  not: plain((x) => !truthy(x ?? null)),
};
