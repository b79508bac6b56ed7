// The filters and tests by name, for filters that apply another one (`map('upper')`, `select('match', 'x')`).
import { TypeUse } from './values.js';

type Fn = (value: unknown, ...args: unknown[]) => unknown;
const filters = new Map<string, Fn>();
const tests = new Map<string, Fn>();

export const registerFilter = (name: string, fn: Fn) => filters.set(name, fn);
export const registerTest = (name: string, fn: Fn) => tests.set(name, fn);
export const filterNames = () => [...filters.keys()];
export const testNames = () => [...tests.keys()];

export function callFilter(name: string, value: unknown, args: unknown[]): unknown {
  const f = filters.get(name);
  if (!f) throw new TypeUse(`no filter named "${name}"`);
  return f(value, ...args);
}

export function callTest(name: string, value: unknown, args: unknown[]): boolean {
  const f = tests.get(name);
  if (!f) throw new TypeUse(`no test named "${name}"`);
  return f(value, ...args) === true;
}
