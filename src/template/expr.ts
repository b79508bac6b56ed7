// Ansible-style conditions for when, changed_when, failed_when, until and assert: parse once, evaluate safely (no eval).
import type { Ast } from './expr-ast.js';
import { ExprError, undefinedHint } from './errors.js';
import { evaluate } from './expr-eval.js';
import { parseExpression } from './expr-parse.js';
import { Undefined, truthy } from './expr-values.js';

export type { Ast } from './expr-ast.js';
export { truthy, toText } from './expr-values.js';

const parsed = new Map<string, Ast>();
const sources = new WeakMap<Ast, string>();

/** The expression inside a whole-value `{{ ... }}` wrapper, which Ansible tolerates in conditions. */
export function unwrapBraces(text: string): string {
  const m = /^\s*\{\{([\s\S]*)\}\}\s*$/.exec(text);
  return m && !m[1]!.includes('{{') && !m[1]!.includes('}}') ? m[1]! : text;
}

/** Parses a condition (cached); throws ExprError E_EXPR_SYNTAX naming the column. */
export function parseExpr(text: string): Ast {
  let ast = parsed.get(text);
  if (!ast) {
    ast = parseExpression(unwrapBraces(text));
    parsed.set(text, ast);
    sources.set(ast, text);
  }
  return ast;
}

/** Evaluates a condition; an undefined variable (outside `is defined` / `default`) throws E_EXPR_UNDEFINED. */
export function evalExpr(expr: Ast | string, vars: Readonly<Record<string, unknown>>): unknown {
  const ast = typeof expr === 'string' ? parseExpr(expr) : expr;
  const text = typeof expr === 'string' ? expr : sources.get(ast);
  try {
    const v = evaluate(ast, vars as Record<string, unknown>);
    if (v instanceof Undefined) throw new ExprError('E_EXPR_UNDEFINED', `"${v.name}" is undefined`, v.name);
    return v;
  } catch (e) {
    if (!(e instanceof ExprError)) throw e;
    const where = text === undefined ? '' : ` in condition "${text.trim()}"`;
    if (e.code === 'E_EXPR_UNDEFINED') {
      throw new ExprError(e.code, `undefined variable "${e.variable}"${where}`, e.variable, undefinedHint);
    }
    throw new ExprError(e.code, `${e.message}${where}`, e.variable, e.hint);
  }
}

/** Evaluates a condition to a boolean (Jinja truthiness; "false"/"no"/"off" strings are false). */
export function testExpr(expr: Ast | string, vars: Readonly<Record<string, unknown>>): boolean {
  return truthy(evalExpr(expr, vars));
}
