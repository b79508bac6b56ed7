// Ansible conditions (when, changed_when, failed_when, until, assert): bare Jinja2 expressions on the same engine.
import { ExprError, TemplateError, undefinedHint } from './errors.js';
import { compileExpression, evaluate } from './render.js';
import { pyTruthy } from './values.js';

/** The expression inside a whole-value `{{ ... }}` wrapper, which Ansible tolerates in conditions. */
export function unwrapBraces(text: string): string {
  const m = /^\s*\{\{([\s\S]*)\}\}\s*$/.exec(text);
  return m && !m[1]!.includes('{{') && !m[1]!.includes('}}') ? m[1]! : text;
}

const where = (text: string) => ` in condition "${text.trim()}"`;

/** `a = 1` outside quotes: the user meant `==`. */
const assignment = (text: string) => /(^|[^=!<>])=($|[^=])/.test(text.replace(/'[^']*'|"[^"]*"/g, ''));

/** The column in the condition's own text of a syntax error found in the compiled wrapper. */
function columnIn(e: TemplateError, text: string): string {
  const p = e.pos;
  if (!p?.col || (p.line ?? 1) !== 1) return '';
  const expr = unwrapBraces(text);
  const col = p.compiled === text ? p.col : p.col - 4 + Math.max(0, text.indexOf(expr));
  return ` at column ${Math.max(1, Math.min(col, text.length + 1))}`;
}

const endOfExpression = (why: string) =>
  why.replace(/^expected "\}\}" \(an expression must end here\)$/, 'unexpected text after the expression');

function asExprError(e: TemplateError, text: string): ExprError {
  const code = e.code.replace('E_TEMPLATE_', 'E_EXPR_');
  if (code === 'E_EXPR_UNDEFINED')
    return new ExprError(code, `undefined variable "${e.variable}"${where(text)}`, e.variable, undefinedHint);
  if (code === 'E_EXPR_SYNTAX') {
    const hint = assignment(unwrapBraces(text))
      ? 'use "==" to compare'
      : e.hint?.startsWith('Jinja2')
        ? undefined
        : e.hint;
    return new ExprError(
      code,
      `invalid expression "${text.trim()}": ${endOfExpression(e.pos?.why ?? e.detail)}${columnIn(e, text)}`,
      undefined,
      hint,
    );
  }
  return new ExprError(
    code,
    `${e.detail.replace(/ in (template|condition) .*$/s, '')}${where(text)}`,
    e.variable,
    e.hint,
  );
}

/** Checks a condition's syntax (cached with the engine's templates); throws ExprError E_EXPR_SYNTAX. */
export function parseExpr(text: string): string {
  const expr = unwrapBraces(text);
  try {
    compileExpression(expr, text, false);
  } catch (e) {
    if (e instanceof TemplateError) throw asExprError(e, text);
    throw e;
  }
  return expr;
}

/** Evaluates a condition; an undefined variable (outside `is defined` / `default`) throws E_EXPR_UNDEFINED. */
export function evalExpr(text: string, vars: Readonly<Record<string, unknown>>): unknown {
  const expr = parseExpr(text);
  try {
    return evaluate(expr, vars, text, `condition "${text.trim()}"`, undefined, false);
  } catch (e) {
    if (e instanceof TemplateError) throw asExprError(e, text);
    throw e;
  }
}

/** Evaluates a condition to a boolean, with Jinja's (Python's) truthiness as ansible-core 2.14 does. */
export function testExpr(text: string | boolean, vars: Readonly<Record<string, unknown>>): boolean {
  return typeof text === 'boolean' ? text : pyTruthy(evalExpr(text, vars));
}
