// Compiling templates once: `{{ jinja expr }}` mustaches go to the condition evaluator, the rest to Handlebars.
import Handlebars from 'handlebars';
import type { Ast } from './expr-ast.js';
import { ExprError, TemplateError } from './errors.js';
import { parseExpression } from './expr-parse.js';
import { helpers } from './helpers.js';
import { unknownHelper } from './missing.js';
import { didYouMean } from '../suggest.js';

export const engine = Handlebars.create();
engine.registerHelper(helpers);

export interface Compiled {
  render: Handlebars.TemplateDelegate;
  /** Top-level mustaches evaluated as Ansible expressions: `{{ x | default(1) }}`. */
  exprs: Ast[];
  /** Source text of each top-level mustache; {{__out N ...}} refers to it by index. */
  mustaches: string[];
  /** The whole template is one mustache: rendering yields its raw value (lists stay lists). */
  single: boolean;
  ast: hbs.AST.Program;
}

const cache = new Map<string, Compiled>();

/** Index just past the closing `}}` of a mustache opening at `open`, skipping quoted strings. */
function closeOf(t: string, open: number): number {
  if (t.startsWith('{{!--', open)) {
    const e = t.indexOf('--}}', open);
    return e < 0 ? -1 : e + 4;
  }
  if (t.startsWith('{{{', open)) {
    const e = t.indexOf('}}}', open);
    return e < 0 ? -1 : e + 3;
  }
  let quote = '';
  for (let i = open + 2; i < t.length - 1; i++) {
    const c = t[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '}' && t[i + 1] === '}') return i + 2;
  }
  return -1;
}

const syntax = (template: string, why: string) =>
  new TemplateError(
    'E_TEMPLATE_SYNTAX',
    `template syntax error in ${JSON.stringify(template)}: ${why}`,
    undefined,
    undefined,
    'write {{ var }}, {{ var | filter }} or Handlebars helpers such as {{default var "x"}}',
  );

/** Handlebars' parser messages list token names; keep what a user can act on. */
function handlebarsReason(message: string): string {
  const last = message.split('\n').at(-1) ?? message;
  if (/got 'EOF'/.test(last)) return 'a block is not closed (add the matching {{/name}})';
  const got = /got '(\w+)'$/.exec(last);
  return got ? `unexpected ${got[1]!.toLowerCase().replace(/_/g, ' ')}` : last;
}

/** An Ansible-style expression, unless it is Handlebars-only (`this`, `else`). */
function asExpression(content: string): Ast | ExprError {
  if (/^\s*else\b/.test(content) || /(^|[^.\w])this\b/.test(content))
    return new ExprError('E_EXPR_SYNTAX', 'Handlebars syntax');
  try {
    return parseExpression(content);
  } catch (e) {
    if (e instanceof ExprError) return e;
    throw e;
  }
}

/** A Handlebars mustache `{{content}}` wrapped so a helper receives its value: `(helper args)` or a path. */
function handlebarsArg(content: string): string | undefined {
  let ast: hbs.AST.Program;
  try {
    ast = engine.parse(`{{${content}}}`);
  } catch {
    return undefined;
  }
  const m = ast.body[0] as hbs.AST.MustacheStatement | undefined;
  if (ast.body.length !== 1 || m?.type !== 'MustacheStatement') return undefined;
  const path = m.path as hbs.AST.PathExpression;
  const call =
    m.params.length > 0 ||
    m.hash?.pairs.length ||
    (path.type === 'PathExpression' && Object.hasOwn(helpers, path.original));
  return call ? `(${content.trim()})` : content.trim();
}

function rewrite(template: string): Omit<Compiled, 'render' | 'ast'> & { text: string } {
  const exprs: Ast[] = [];
  const mustaches: string[] = [];
  let text = '';
  let depth = 0;
  let count = 0;
  let single = false;
  let i = 0;
  for (let open = template.indexOf('{{'); open >= 0; open = template.indexOf('{{', i)) {
    const end = closeOf(template, open);
    if (end < 0) throw syntax(template, `"{{" at offset ${open} is never closed with "}}"`);
    const raw = template.slice(open, end);
    text += template.slice(i, open);
    i = end;
    count++;
    const content = raw.slice(2, -2);
    const lead = content.trimStart()[0] ?? '';
    if (
      template[open - 1] === '\\' ||
      raw.startsWith('{{{') ||
      '#^/!>&~'.includes(lead) ||
      /~$/.test(content) ||
      depth > 0 ||
      /^\s*else\b/.test(content)
    ) {
      if (lead === '#' || (lead === '^' && content.trim().length > 1)) depth++;
      if (lead === '/') depth = Math.max(0, depth - 1);
      text += raw;
      continue;
    }
    const expr = asExpression(content);
    single = raw === template;
    if (!(expr instanceof ExprError)) {
      text += `{{__expr ${exprs.length}}}`;
      exprs.push(expr);
      mustaches.push(raw);
      continue;
    }
    const arg = handlebarsArg(content);
    if (arg === undefined) throw syntax(template, expr.message.replace(/^invalid expression "[\s\S]*?": /, ''));
    text += `{{__out ${mustaches.length} ${arg}}}`;
    mustaches.push(raw);
  }
  text += template.slice(i);
  return { text, exprs, mustaches, single: single && count === 1 };
}

/** Compiles a template (cached per distinct string); throws TemplateError E_TEMPLATE_SYNTAX. */
export function compileTemplate(template: string): Compiled {
  let c = cache.get(template);
  if (c) return c;
  const r = rewrite(template);
  let ast: hbs.AST.Program;
  try {
    ast = engine.parse(r.text);
  } catch (e) {
    throw syntax(template, handlebarsReason((e as Error).message));
  }
  const helper = unknownHelper(ast, (name) => Object.hasOwn(engine.helpers, name));
  if (helper !== undefined) {
    throw new TemplateError(
      'E_TEMPLATE_HELPER',
      `unknown helper "${helper}" in template ${JSON.stringify(template)}`,
      undefined,
      undefined,
      didYouMean(
        helper,
        Object.keys(engine.helpers).filter((h) => !h.startsWith('_') && !h.endsWith('Missing')),
      ) ?? `helpers: ${Object.keys(helpers).join(', ')}`,
    );
  }
  const render = engine.compile(ast, { noEscape: true, strict: true });
  c = { render, exprs: r.exprs, mustaches: r.mustaches, single: r.single, ast };
  cache.set(template, c);
  return c;
}
