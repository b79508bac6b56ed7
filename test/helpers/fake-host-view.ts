// A HostView over any Transport for module tests, and applyPlan(): runs steps the way the engine does.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import Handlebars from 'handlebars';
import type { Fact, HostView, Module, Plan } from '../../src/sdk.js';
import { addressOf } from '../../src/engine/host-view.js';
import type { ExecResult, Transport } from '../../src/transport/types.js';

export interface HostViewOptions {
  name?: string;
  /** Controller files for readLocal(): a folder, or path -> content in memory. */
  local?: string | Record<string, string>;
  /** Condition evaluator; defaults to `evaluate` below (enough for tests, not the engine's). */
  test?: (expression: string, vars: Readonly<Record<string, unknown>>) => boolean;
}

export function hostViewOf(
  transport: Transport,
  vars: Record<string, unknown> = {},
  o: HostViewOptions = {},
): HostView {
  const memo = new Map<string, Promise<unknown>>();
  return {
    name: o.name ?? transport.host,
    address: addressOf(o.name ?? transport.host, vars),
    vars,
    fact<T, A extends unknown[]>(f: Fact<T, A>, ...args: A): Promise<T> {
      const cmd = f.command(...args);
      if (!cmd.readOnly) throw new Error(`fact ${f.name} built a command not marked readOnly: ${cmd.display}`);
      const key = `${f.name}\0${cmd.text}`;
      let p = memo.get(key) as Promise<T> | undefined;
      if (!p) {
        p = transport.exec(cmd).then((out) => f.parse(out, ...args));
        memo.set(key, p);
      }
      return p;
    },
    read: (path) => transport.read(path),
    async readLocal(path) {
      if (typeof o.local === 'string') return readFile(resolve(o.local, path), 'utf8');
      const content = o.local?.[path];
      if (content === undefined)
        throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: 'ENOENT' });
      return content;
    },
    render: (template) => {
      try {
        return Handlebars.compile(template, { strict: true, noEscape: true })(vars);
      } catch (e) {
        // Handlebars throws its own Exception, which is not a real Error subclass.
        throw new Error((e as { message: string }).message);
      }
    },
    test: (expression) => (o.test ?? evaluate)(expression, vars),
  };
}

/** Runs a plan's steps as the engine does; a failing exec step throws with its output. */
export async function applyPlan(transport: Transport, plan: Plan): Promise<ExecResult | undefined> {
  if (plan.fail) throw new Error(`plan failed: ${plan.fail}`);
  let last: ExecResult | undefined;
  for (const step of plan.steps) {
    if (step.kind === 'exec') {
      last = await transport.exec(step.cmd, step.stdin !== undefined ? { stdin: step.stdin } : {});
      if (last.code === null || !(step.okCodes ?? [0]).includes(last.code)) {
        throw new Error(`step "${step.title}" failed with exit ${last.code}: ${last.stderr || last.stdout}`);
      }
    } else if (step.kind === 'write') {
      await transport.write(step.path, step.after, step.mode !== undefined ? { mode: step.mode } : {});
    }
  }
  return last;
}

/** Validates params, then gather + plan, as the engine does for one task on one host. */
export async function planOn(
  module: Module,
  transport: Transport,
  params: unknown,
  vars: Record<string, unknown> = {},
  o: HostViewOptions = {},
): Promise<Plan> {
  const parsed: unknown = module.params.parse(params);
  const facts = await module.gather(hostViewOf(transport, vars, o), parsed);
  return module.plan(facts, parsed);
}

/**
 * A small Ansible-condition evaluator: `and`, `or`, `not` (short-circuit), parentheses, == != < <= > >= in,
 * `not in`, `is defined`, `is not defined`, literals ('s', "s", 1, true, false, none, [..]), dotted names,
 * and the filters `| bool`, `| int`, `| length`. An undefined name used as a value throws.
 */
export function evaluate(expression: string, vars: Readonly<Record<string, unknown>>): boolean {
  type Thunk = () => unknown;
  const toks =
    expression.match(/'[^']*'|"[^"]*"|[0-9]+(?:\.[0-9]+)?|==|!=|<=|>=|[<>()|[\],]|[A-Za-z_][A-Za-z0-9_.]*/g) ?? [];
  let i = 0;
  const lookup = (path: string): { found: boolean; value?: unknown } => {
    let cur: unknown = vars;
    for (const k of path.split('.')) {
      if (cur === null || typeof cur !== 'object' || !(k in cur)) return { found: false };
      cur = (cur as Record<string, unknown>)[k];
    }
    return { found: true, value: cur };
  };
  const need = (path: string): unknown => {
    const r = lookup(path);
    if (!r.found) throw new Error(`'${path}' is undefined (in: ${expression})`);
    return r.value;
  };
  const truthy = (v: unknown): boolean => Boolean(v) && !(Array.isArray(v) && v.length === 0);
  const atom = (): Thunk => {
    const t = toks[i++];
    if (t === undefined) throw new Error(`unexpected end of condition: ${expression}`);
    if (t === '(') {
      const v = or();
      i++;
      return v;
    }
    if (t === '[') {
      const items: Thunk[] = [];
      while (toks[i] !== ']') {
        items.push(value());
        if (toks[i] === ',') i++;
      }
      i++;
      return () => items.map((f) => f());
    }
    if (/^['"]/.test(t)) return () => t.slice(1, -1);
    if (/^[0-9]/.test(t)) return () => Number(t);
    if (t === 'true' || t === 'True') return () => true;
    if (t === 'false' || t === 'False') return () => false;
    if (t === 'none' || t === 'None') return () => null;
    if (toks[i] === 'is') {
      i++;
      const neg = toks[i] === 'not';
      if (neg) i++;
      const test = toks[i++];
      if (test !== 'defined' && test !== 'undefined') throw new Error(`unsupported test "${test}" in: ${expression}`);
      return () => (lookup(t).found === (test === 'defined')) !== neg;
    }
    return () => need(t);
  };
  const value = (): Thunk => {
    let v = atom();
    while (toks[i] === '|') {
      const filter = toks[i + 1];
      const inner = v;
      i += 2;
      if (filter === 'bool')
        v = () => {
          const x = inner();
          return x === true || ['yes', 'true', '1', 'on'].includes(String(x).toLowerCase());
        };
      else if (filter === 'int') v = () => Number.parseInt(String(inner()), 10);
      else if (filter === 'length') v = () => (inner() as { length: number }).length;
      else throw new Error(`unsupported filter "${filter}" in: ${expression}`);
    }
    return v;
  };
  const compare = (): Thunk => {
    const left = value();
    const op = toks[i] === 'not' && toks[i + 1] === 'in' ? 'not in' : toks[i];
    if (!['==', '!=', '<', '<=', '>', '>=', 'in', 'not in'].includes(op ?? '')) return left;
    i += op === 'not in' ? 2 : 1;
    const right = value();
    return () => {
      const a = left() as number;
      const b = right() as number;
      switch (op) {
        case '==':
          return a === b;
        case '!=':
          return a !== b;
        case '<':
          return a < b;
        case '<=':
          return a <= b;
        case '>':
          return a > b;
        case '>=':
          return a >= b;
        case 'in':
          return (b as unknown as unknown[]).includes(a);
        default:
          return !(b as unknown as unknown[]).includes(a);
      }
    };
  };
  const not = (): Thunk => {
    if (toks[i] !== 'not') return compare();
    i++;
    const v = not();
    return () => !truthy(v());
  };
  const and = (): Thunk => {
    let v = not();
    while (toks[i] === 'and') {
      i++;
      const l = v;
      const r = not();
      v = () => truthy(l()) && truthy(r());
    }
    return v;
  };
  const or = (): Thunk => {
    let v = and();
    while (toks[i] === 'or') {
      i++;
      const l = v;
      const r = and();
      v = () => truthy(l()) || truthy(r());
    }
    return v;
  };
  const tree = or();
  if (i < toks.length) throw new Error(`unexpected "${toks[i]}" in condition: ${expression}`);
  return truthy(tree());
}
