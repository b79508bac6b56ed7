// Rendering values with templates per host: `{{ expr }}` alone keeps its raw value, otherwise text.
import type { HelperOptions } from 'handlebars';
import type { Span } from '../errors.js';
import { ExprError, TemplateError, undefinedHint } from './errors.js';
import { compileTemplate, engine } from './compile.js';
import { evaluate } from './expr-eval.js';
import { Undefined, toText } from './expr-values.js';
import { HelperUndefined } from './helpers.js';
import { missingPath } from './missing.js';

export { TemplateError } from './errors.js';

interface RenderData {
  exprs: unknown[];
  capture: { value?: unknown };
  mustaches: string[];
}

class OutUndefined extends Error {
  constructor(readonly mustache: number) {
    super('undefined');
  }
}

engine.registerHelper('__expr', (index: number, options: HelperOptions) => {
  const data = options.data as RenderData & { root: Record<string, unknown> };
  const v = evaluate(data.exprs[index] as Parameters<typeof evaluate>[0], data.root);
  if (v instanceof Undefined) throw new ExprError('E_EXPR_UNDEFINED', `"${v.name}" is undefined`, v.name);
  data.capture.value = v;
  return toText(v);
});

engine.registerHelper('__out', (mustache: number, value: unknown, options: HelperOptions) => {
  if (value === undefined) throw new OutUndefined(mustache);
  (options.data as RenderData).capture.value = value;
  return toText(value);
});

/** Ansible's magic `vars` (all variables) unless a variable of that name exists. */
const contextOf = (vars: Readonly<Record<string, unknown>>): Record<string, unknown> =>
  Object.hasOwn(vars, 'vars') ? { ...vars } : { ...vars, vars };

const quoted = (t: string) => JSON.stringify(t.length > 80 ? `${t.slice(0, 80)}…` : t);

function undefinedError(variable: string, template: string, source?: Span): TemplateError {
  return new TemplateError(
    'E_TEMPLATE_UNDEFINED',
    `undefined variable "${variable}" in template ${quoted(template)}`,
    source,
    variable,
    undefinedHint,
  );
}

function mapError(e: unknown, template: string, ctx: Record<string, unknown>, source?: Span): unknown {
  if (e instanceof TemplateError)
    return source && !e.at ? new TemplateError(e.code, e.detail, source, e.variable, e.hint) : e;
  if (e instanceof ExprError) {
    if (e.code === 'E_EXPR_UNDEFINED') return undefinedError(e.variable ?? '?', template, source);
    return new TemplateError(
      'E_TEMPLATE_TYPE',
      `${e.message} in template ${quoted(template)}`,
      source,
      undefined,
      e.hint,
    );
  }
  const msg = e instanceof Error ? e.message : String(e);
  const strict = /^"([^"]+)" not defined in/.exec(msg);
  const lookup = e instanceof TypeError && /Cannot read propert|Cannot use 'in' operator/.test(msg);
  if (e instanceof OutUndefined) {
    const mustache = compileTemplate(template).mustaches[e.mustache] ?? '';
    return undefinedError(missingPath(engine.parse(mustache), ctx) ?? mustache.slice(2, -2).trim(), template, source);
  }
  if (strict || lookup || e instanceof HelperUndefined) {
    return undefinedError(
      missingPath(compileTemplate(template).ast, ctx) ?? strict?.[1] ?? 'unknown',
      template,
      source,
    );
  }
  return new TemplateError('E_TEMPLATE_RENDER', `cannot render template ${quoted(template)}: ${msg}`, source);
}

/**
 * Renders one string. A string that is exactly one `{{ expr }}` returns the expression's raw
 * value (list, number, dict), as Ansible does; anything else renders to a string.
 */
export function renderString(template: string, vars: Readonly<Record<string, unknown>>, source?: Span): unknown {
  if (!template.includes('{{')) return template;
  const ctx = contextOf(vars);
  try {
    const c = compileTemplate(template);
    const data: RenderData = { exprs: c.exprs, capture: {}, mustaches: c.mustaches };
    const out = c.render(ctx, { data });
    return c.single ? (data.capture.value ?? null) : out;
  } catch (e) {
    throw mapError(e, template, ctx, source);
  }
}

export type SpanFor = (path: readonly (string | number)[]) => Span | undefined;

/** Renders every string inside a value (objects and arrays walked); other values pass through. */
export function renderValue(
  value: unknown,
  vars: Readonly<Record<string, unknown>>,
  spanFor?: SpanFor,
  path: (string | number)[] = [],
): unknown {
  if (typeof value === 'string') return renderString(value, vars, spanFor?.(path));
  if (Array.isArray(value)) return value.map((v, i) => renderValue(v, vars, spanFor, [...path, i]));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderValue(v, vars, spanFor, [...path, k])]));
  }
  return value;
}

/** The syntax error of a template, or undefined when it compiles (for load-time checks). */
export function templateSyntaxError(template: string): TemplateError | undefined {
  if (!template.includes('{{')) return undefined;
  try {
    compileTemplate(template);
    return undefined;
  } catch (e) {
    if (e instanceof TemplateError) return e;
    throw e;
  }
}

/** Whether a value holds a template anywhere (such values are checked only after rendering). */
export const hasTemplate = (v: unknown): boolean =>
  typeof v === 'string'
    ? v.includes('{{')
    : Array.isArray(v)
      ? v.some(hasTemplate)
      : v !== null && typeof v === 'object'
        ? Object.values(v).some(hasTemplate)
        : false;
