// The variables a template reads, found by walking the nunjucks AST the engine parses: each use with its place and the branches it sits under.
import nunjucks from 'nunjucks';
import { env } from './engine.js';
import { unwrapBraces } from './expr.js';
import { prepare } from './prepare.js';

/** A nunjucks AST node (the fields the walk reads). */
export interface AstNode {
  typename: string;
  lineno: number;
  colno: number;
  value?: unknown;
  [field: string]: unknown;
}

/**
 * A branch a use sits under: the use is read only when `node` (an expression of the same or the
 * task's condition) is truthy / falsy / a non-empty or empty sequence, or, for `default`'s
 * arguments, when `node` is undefined. `bound` are the template's own names visible there.
 */
/** `condition` is a task keyword's truth (Ansible's, with "false"/"no" strings false); `truthy` is Jinja2's inside a template. */
export type GateWant = 'truthy' | 'falsy' | 'nonempty' | 'empty' | 'undefined' | 'condition';

export interface Gate {
  node: AstNode;
  want: GateWant;
  bound: ReadonlySet<string>;
}

/** One read of a variable: its root name, the literal keys after it (`groups.dea` -> ['dea']), where, and under which branches. */
export interface Use {
  name: string;
  path: (string | number)[];
  /** 0-based, in the template text as written. */
  line: number;
  col: number;
  gates: readonly Gate[];
}

export type TemplateKind = 'param' | 'condition' | 'file';

const cache = new Map<string, Use[] | null>();
const MAX_CACHE = 20_000;

const parse = (text: string): AstNode =>
  (nunjucks as unknown as { parser: { parse(s: string, ext: unknown[], opts: unknown): AstNode } }).parser.parse(
    text,
    [],
    (env as unknown as { opts: unknown }).opts,
  );

/** Names Jinja2 and nunjucks provide inside the constructs that bind them. */
const LOOP_NAMES = ['loop'];
const MACRO_NAMES = ['varargs', 'kwargs', 'caller'];

const fieldsOf = (n: AstNode): string[] => (n as unknown as { fields?: string[] }).fields ?? [];
const isNode = (v: unknown): v is AstNode => typeof v === 'object' && v !== null && 'typename' in v;
const childrenOf = (n: AstNode): AstNode[] =>
  ((n as unknown as { children?: unknown[] }).children ?? []).filter(isNode);

/** The names a `for` or `set` target binds (`a`, `a, b`). */
function targetNames(n: unknown): string[] {
  if (!isNode(n)) return [];
  if (n.typename === 'Symbol') return [String(n.value)];
  return childrenOf(n).flatMap(targetNames);
}

/** The root Symbol of `a.b[0]` and its literal keys, or undefined when a key is computed. */
export function accessPath(n: AstNode): { root: AstNode; path: (string | number)[]; computed: AstNode[] } | undefined {
  const path: (string | number)[] = [];
  const computed: AstNode[] = [];
  let cur: AstNode = n;
  while (cur.typename === 'LookupVal') {
    const key = cur.val as AstNode;
    if (key.typename === 'Literal' && (typeof key.value === 'string' || typeof key.value === 'number'))
      path.unshift(key.value);
    else {
      // a computed key (`hostvars[item]`): the root is still read, nothing after it is checked
      path.length = 0;
      computed.push(key);
    }
    cur = cur.target as AstNode;
  }
  return cur.typename === 'Symbol' ? { root: cur, path, computed } : undefined;
}

class Walker {
  readonly uses: Use[] = [];
  /** Names the template binds for the rest of it ({% set %}, macros): Jinja2 scoping is not modelled, so they stay bound. */
  private readonly setNames = new Set<string>();

  constructor(private readonly lineShift: number) {}

  private boundNow(scoped: ReadonlySet<string>): ReadonlySet<string> {
    return new Set([...this.setNames, ...scoped]);
  }

  walk(n: unknown, gates: readonly Gate[], scoped: ReadonlySet<string>): void {
    if (!isNode(n)) return;
    const gate = (node: unknown, want: Gate['want']): Gate[] =>
      isNode(node) ? [...gates, { node, want, bound: this.boundNow(scoped) }] : [...gates];
    switch (n.typename) {
      case 'Symbol': {
        const name = String(n.value);
        if (!scoped.has(name) && !this.setNames.has(name)) this.add(name, [], n, gates);
        return;
      }
      case 'LookupVal': {
        const p = accessPath(n);
        if (!p) {
          this.walk(n.target, gates, scoped);
          this.walk(n.val, gates, scoped);
          return;
        }
        const name = String(p.root.value);
        if (!scoped.has(name) && !this.setNames.has(name)) this.add(name, p.path, p.root, gates);
        for (const c of p.computed) this.walk(c, gates, scoped);
        return;
      }
      case 'Is': {
        const right = n.right as AstNode;
        const test = String((right.name as AstNode | undefined)?.value ?? right.value);
        // `x is defined` reads nothing that can fail; its arguments of other tests are read
        if (test !== 'defined' && test !== 'undefined') this.walk(n.left, gates, scoped);
        if (right.typename === 'FunCall') this.walk(right.args, gates, scoped);
        return;
      }
      case 'Filter': {
        const name = String((n.name as AstNode).value);
        const args = childrenOf(n.args as AstNode);
        if (name === 'default' || name === 'd') {
          // the value may be undefined; the fallback is read only when it is
          const [subject, ...rest] = args;
          for (const a of rest) this.walk(a, subject ? gate(subject, 'undefined') : gates, scoped);
          return;
        }
        for (const a of args) this.walk(a, gates, scoped);
        return;
      }
      case 'And':
        this.walk(n.left, gates, scoped);
        this.walk(n.right, gate(n.left, 'truthy'), scoped);
        return;
      case 'Or':
        this.walk(n.left, gates, scoped);
        this.walk(n.right, gate(n.left, 'falsy'), scoped);
        return;
      case 'If':
      case 'InlineIf':
        this.walk(n.cond, gates, scoped);
        this.walk(n.body, gate(n.cond, 'truthy'), scoped);
        this.walk(n.else_, gate(n.cond, 'falsy'), scoped);
        return;
      case 'For': {
        this.walk(n.arr, gates, scoped);
        const inner = new Set([...scoped, ...targetNames(n.name), ...LOOP_NAMES]);
        this.walk(n.body, gate(n.arr, 'nonempty'), inner);
        this.walk(n.else_, gate(n.arr, 'empty'), scoped);
        return;
      }
      case 'Set':
        this.walk(n.value, gates, scoped);
        this.walk(n.body, gates, scoped);
        for (const t of (n.targets as unknown[]) ?? []) for (const name of targetNames(t)) this.setNames.add(name);
        return;
      case 'Macro':
      case 'Caller': {
        if (n.typename === 'Macro') this.setNames.add(String((n.name as AstNode).value));
        const args = childrenOf(n.args as AstNode);
        const params = args.flatMap((a) =>
          a.typename === 'KeywordArgs' ? childrenOf(a).map((p) => String((p.key as AstNode).value)) : targetNames(a),
        );
        for (const a of args)
          if (a.typename === 'KeywordArgs') for (const p of childrenOf(a)) this.walk(p.value, gates, scoped);
        // a macro body runs only when called: its uses are gated as an unknown branch
        const never: Gate = { node: n, want: 'truthy', bound: this.boundNow(scoped) };
        this.walk(n.body, [...gates, never], new Set([...scoped, ...params, ...MACRO_NAMES]));
        return;
      }
      case 'Pair':
        // dict keys and keyword names are not variables
        if (isNode(n.key) && n.key.typename !== 'Symbol') this.walk(n.key, gates, scoped);
        this.walk(n.value, gates, scoped);
        return;
      case 'Include':
      case 'Import':
      case 'FromImport':
      case 'Extends':
        // another template's names are not followed (stackplay's templates do not include files)
        this.walk(n.template, gates, scoped);
        return;
      default:
        for (const f of fieldsOf(n)) {
          const v = n[f];
          if (Array.isArray(v)) for (const c of v) this.walk(c, gates, scoped);
          else this.walk(v, gates, scoped);
        }
        if (!fieldsOf(n).includes('children')) for (const c of childrenOf(n)) this.walk(c, gates, scoped);
    }
  }

  private add(name: string, path: (string | number)[], at: AstNode, gates: readonly Gate[]): void {
    this.uses.push({ name, path, line: at.lineno, col: at.colno - (at.lineno === 0 ? this.lineShift : 0), gates });
  }
}

/**
 * The variable uses of a template (a param string, a condition, or a template file's text), or
 * null when it does not parse (its syntax error is reported elsewhere). Cached per text.
 */
export function usesOf(text: string, kind: TemplateKind): Use[] | null {
  const key = `${kind[0]}${text}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  let out: Use[] | null;
  try {
    out = walkTemplate(text, kind);
  } catch {
    out = null;
  }
  if (cache.size >= MAX_CACHE) cache.clear();
  cache.set(key, out);
  return out;
}

function walkTemplate(text: string, kind: TemplateKind): Use[] {
  if (kind === 'condition') {
    const expr = unwrapBraces(text);
    const lead = text.indexOf(expr);
    // `{{ ` shifts columns by 3; the expression starts `lead` characters into the condition as written
    const w = new Walker(3 - Math.max(0, lead));
    w.walk(parse(`{{ ${expr} }}`), [], new Set());
    return w.uses;
  }
  if (kind === 'param' && !text.includes('{{') && !text.includes('{%')) return [];
  const w = new Walker(0);
  w.walk(parse(prepare(text, kind === 'param')), [], new Set());
  return w.uses;
}

/** The expression of a condition as an AST node (for a task's `when` acting as a gate), or undefined when it does not parse. */
export function conditionNode(text: string): AstNode | undefined {
  try {
    const root = parse(`{{ ${unwrapBraces(text)} }}`);
    const output = childrenOf(root)[0];
    return output ? childrenOf(output)[0] : undefined;
  } catch {
    return undefined;
  }
}
