// Rendering for a host: strings and values (a lone `{{ expr }}` keeps its raw value, as Ansible does), and template files.
import type { Span } from '../errors.js';
import { OMIT } from './filters-core.js';
import { CAPTURE, MAX_NESTING, compile, globalValue, lookupHost, nunjucksReason, takeCaptured } from './engine.js';
import { TemplateError, undefinedHint } from './errors.js';
import { withResolver } from './nunjucks-patch.js';
import { tagEnd } from './prepare.js';
import { hasTemplate, isData } from './scope.js';
import { TypeUse, Undefined, UndefinedUse, takeLastUse } from './values.js';

export { TemplateError } from './errors.js';
export { hasTemplate, markData } from './scope.js';

type Vars = Readonly<Record<string, unknown>>;

const quoted = (t: string) => JSON.stringify(t.length > 80 ? `${t.slice(0, 80)}…` : t);

/** The expression of a template that is exactly one `{{ expr }}`, else undefined. */
export function loneExpression(t: string): string | undefined {
  if (!t.startsWith('{{') || tagEnd(t, 0) !== t.length) return undefined;
  return t.slice(2, -2).replace(/^-/, '').replace(/-$/, '');
}

/** Variables of `vars` that hold templates render when used (play vars built from inventory vars), once per vars object. */
const rendered = new WeakMap<object, Map<string, unknown>>();
const resolving: string[] = [];

function resolver(vars: Vars): (name: string) => unknown {
  return (name) => {
    if (Object.hasOwn(vars, name)) {
      const v = vars[name];
      if (isData(vars, name) || !hasTemplate(v)) return v;
      const memo = rendered.get(vars) ?? new Map<string, unknown>();
      rendered.set(vars, memo);
      if (memo.has(name)) return memo.get(name);
      if (resolving.includes(name) || resolving.length > MAX_NESTING)
        throw new TypeUse(`variable "${name}" refers to itself (${[...resolving, name].join(' -> ')})`);
      resolving.push(name);
      try {
        const out = renderValue(v, vars);
        memo.set(name, out);
        return out;
      } finally {
        resolving.pop();
      }
    }
    if (name === 'vars') return vars;
    const g = globalValue(name);
    if (g !== undefined) return g;
    if (name === 'True' || name === 'true') return true;
    if (name === 'False' || name === 'false') return false;
    if (name === 'None' || name === 'none') return null;
    return new Undefined(name);
  };
}

function undefinedError(variable: string, what: string, at?: Span): TemplateError {
  return new TemplateError(
    'E_TEMPLATE_UNDEFINED',
    `undefined variable "${variable}" in ${what}`,
    at,
    variable,
    undefinedHint,
  );
}

/** One TemplateError for anything a render throws, naming the template and where. */
export function renderError(e: unknown, what: string, at?: Span, file?: string): TemplateError {
  if (e instanceof TemplateError) {
    const inFile = file && e.pos?.line ? { file, line: e.pos.line, col: e.pos.col ?? 1 } : at;
    return inFile && !e.at ? new TemplateError(e.code, e.detail, inFile, e.variable, e.hint) : e;
  }
  const use = e instanceof UndefinedUse || e instanceof TypeUse ? e : takeLastUse();
  const r = nunjucksReason(e);
  // positions recorded while rendering are 0-based (the parser's are 1-based)
  const where = file && r.line !== undefined ? { file, line: r.line + 1, col: (r.col ?? 0) + 1 } : at;
  if (use instanceof UndefinedUse) return undefinedError(use.variable, what, where);
  if (e instanceof RangeError)
    return new TemplateError(
      'E_TEMPLATE_DEPTH',
      `${what} is nested too deeply to evaluate`,
      where,
      undefined,
      'split it into variables',
    );
  if (use instanceof TypeUse)
    return new TemplateError('E_TEMPLATE_TYPE', `${use.message} in ${what}`, where, undefined, use.hint);
  return new TemplateError('E_TEMPLATE_RENDER', `cannot render ${what}: ${r.why}`, where);
}

function run<T>(vars: Vars, fn: () => T): T {
  takeLastUse();
  const saved = lookupHost.baseDir;
  const dir = vars.playbook_dir;
  if (typeof dir === 'string') lookupHost.baseDir = () => dir;
  try {
    return withResolver(resolver(vars), fn);
  } finally {
    lookupHost.baseDir = saved;
  }
}

/** The raw value of one expression (conditions, a lone `{{ expr }}`); throws TemplateError. */
export function evaluate(expr: string, vars: Vars, shown: string, what: string, at?: Span, param = true): unknown {
  const t = compileExpression(expr, shown, param);
  return run(vars, () => {
    try {
      t.render({});
      return takeCaptured();
    } catch (e) {
      throw renderError(e, what, at);
    }
  });
}

/** The template that captures an expression's value; a syntax error is reported on the text as written. */
export function compileExpression(expr: string, shown: string, param = true) {
  // the parentheses make the whole expression the filter's input; `()` alone would be an empty tuple
  const wrapped = expr.trim() === '' ? `{{ ${expr} }}` : `{{ (${expr}) | ${CAPTURE} }}`;
  try {
    return compile(wrapped, shown, param);
  } catch (e) {
    if (shown.includes('{{')) compile(shown, shown, param);
    else compile(`{{ ${expr} }}`, shown, param);
    throw e;
  }
}

/**
 * Renders one string. A string that is exactly one `{{ expr }}` returns the expression's raw
 * value (list, number, dict), as Ansible does; anything else renders to a string.
 */
export function renderString(template: string, vars: Vars, source?: Span): unknown {
  if (!template.includes('{{') && !template.includes('{%') && !template.includes('{#')) return template;
  const what = `template ${quoted(template)}`;
  try {
    const lone = loneExpression(template);
    if (lone !== undefined) return evaluate(lone, vars, template, what, source);
    const t = compile(template);
    return run(vars, () => t.render({}));
  } catch (e) {
    throw renderError(e, what, source);
  }
}

/** Renders a template file's text (the `template` module, lookup('template')); errors point into the file. */
export function renderFile(text: string, vars: Vars, file: string): string {
  const what = `template ${file}`;
  try {
    const t = compile(text, file, false);
    const saved = lookupHost.renderFile;
    lookupHost.renderFile = (inner, f) => renderFile(inner, vars, f);
    try {
      return run(vars, () => t.render({}));
    } finally {
      lookupHost.renderFile = saved;
    }
  } catch (e) {
    throw renderError(e, what, { file, line: 1, col: 1 }, file);
  }
}

export type SpanFor = (path: readonly (string | number)[]) => Span | undefined;

/** Renders every string inside a value (objects and arrays walked); other values pass through. */
export function renderValue(value: unknown, vars: Vars, spanFor?: SpanFor, path: (string | number)[] = []): unknown {
  if (path.length > 200)
    throw new TemplateError('E_TEMPLATE_DEPTH', 'a value nested deeper than 200 levels', spanFor?.(path));
  if (typeof value === 'string') return renderString(value, vars, spanFor?.(path));
  if (Array.isArray(value)) return value.map((v, i) => renderValue(v, vars, spanFor, [...path, i]));
  if (value !== null && typeof value === 'object') {
    // a key rendered to `omit` is dropped, as Ansible drops the param
    return Object.fromEntries(
      Object.entries(value)
        .map(([k, v]) => [k, renderValue(v, vars, spanFor, [...path, k])])
        .filter(([, v]) => v !== OMIT),
    );
  }
  return value;
}

/** The syntax error of a template, or undefined when it compiles (for load-time checks). */
export function templateSyntaxError(template: string): TemplateError | undefined {
  if (!hasTemplate(template) && !template.includes('{#')) return undefined;
  try {
    compile(template);
    return undefined;
  } catch (e) {
    if (e instanceof TemplateError) return e;
    throw e;
  }
}
