// The one Jinja2 engine (nunjucks with Python semantics): filters and tests registered, templates compiled once and cached.
import nunjucks from 'nunjucks';
import { didYouMean } from '../suggest.js';
import { type Definition, type Family, toNunjucks } from './define.js';
import { TemplateError } from './errors.js';
import { coreFilters } from './filters-core.js';
import { dataFilters } from './filters-data.js';
import { encodingFilters } from './filters-encoding.js';
import { listFilters } from './filters-lists.js';
import { textFilters } from './filters-text.js';
import { type LookupHost, globals } from './globals.js';
import { installPythonSemantics, setKnown } from './nunjucks-patch.js';
import { prepare } from './prepare.js';
import { filterNames, hasFilter, hasTest, registerFilter, registerTest, testNames } from './registry.js';
import { tests } from './tests.js';
import { defined } from './values.js';

/** Deeper nesting than this is refused before parsing: the parser recurses and must not overflow the stack. */
export const MAX_NESTING = 100;

installPythonSemantics();
setKnown((kind, name) => name === CAPTURE || (kind === 'filter' ? hasFilter(name) : hasTest(name)));
// trimBlocks: Ansible's templar and template module drop the newline after a block tag ({% for %} lines leave no blank line).
export const env = new nunjucks.Environment(null, { autoescape: false, throwOnUndefined: false, trimBlocks: true });

const addFilters = (family: Family) => {
  for (const [name, d] of Object.entries(family)) {
    const fn = toNunjucks(name, d as Definition);
    env.addFilter(name, fn);
    registerFilter(name, fn);
  }
};
for (const f of [coreFilters, listFilters, textFilters, dataFilters, encodingFilters]) addFilters(f);
for (const [name, d] of Object.entries(tests)) {
  const fn = toNunjucks(name, d);
  (env as unknown as { addTest(n: string, f: unknown): void }).addTest(name, fn);
  registerTest(name, fn);
}

/** `{{ (expr) | __stackplay_capture }}` keeps the expression's raw value (a lone `{{ expr }}`, conditions). */
export const CAPTURE = '__stackplay_capture';
let captured: unknown;
env.addFilter(CAPTURE, (v: unknown) => {
  captured = defined(v);
  return '';
});
export function takeCaptured(): unknown {
  const v = captured;
  captured = undefined;
  return v;
}

/** Set by the renderer: where lookups read files and how lookup('template') renders. */
export const lookupHost: LookupHost = { baseDir: () => process.cwd(), renderFile: (t) => t };
/** While true, lookup('pipe') refuses: the engine is rendering a task ahead of its turn (src/engine/lookahead.ts). */
export const renderingAhead = { on: false };
const fns = globals({
  baseDir: () => lookupHost.baseDir(),
  renderFile: (t, f) => lookupHost.renderFile(t, f),
  pipeAllowed: () => !renderingAhead.on,
});
for (const [name, v] of Object.entries(fns)) env.addGlobal(name, v);
/** Globals by own name (never Object.prototype's). */
export const globalValue = (name: string): unknown => (Object.hasOwn(fns, name) ? fns[name] : undefined);

const place = (line?: number, col?: number) =>
  line === undefined ? '' : line === 1 ? ` at column ${col}` : ` at line ${line}, column ${col}`;

function syntax(
  compiled: string,
  shown: string,
  why: string,
  line?: number,
  col?: number,
  hint?: string,
): TemplateError {
  const at = compiled === shown ? place(line, col) : '';
  const e = new TemplateError(
    'E_TEMPLATE_SYNTAX',
    `template syntax error in ${JSON.stringify(shown.length > 80 ? `${shown.slice(0, 80)}…` : shown)}: ${why}${at}`,
    undefined,
    undefined,
    hint ??
      'Jinja2 syntax: {{ var }}, {{ var | filter(arg) }}, {% if x %}...{% endif %}, {% for x in xs %}...{% endfor %}',
  );
  e.pos = { why, line, col, compiled };
  return e;
}

/** The deepest bracket nesting, outside string literals. */
function nesting(t: string): number {
  let depth = 0;
  let max = 0;
  let quote = '';
  for (let i = 0; i < t.length; i++) {
    const c = t[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '(' || c === '[' || (c === '{' && t[i + 1] !== '{' && t[i + 1] !== '%' && t[i - 1] !== '{')) {
      depth++;
      max = Math.max(max, depth);
    } else if (c === ')' || c === ']' || (c === '}' && t[i + 1] !== '}' && t[i - 1] !== '}' && t[i - 1] !== '%'))
      depth--;
  }
  return max;
}

/** nunjucks' "(unknown path) [Line 1, Column 8]\n  unexpected token: }}" as (reason, line, col). */
export function nunjucksReason(e: unknown): { why: string; line?: number; col?: number } {
  const msg = e instanceof Error ? e.message : String(e);
  const at = e as { lineno?: number; colno?: number } | undefined;
  const m = /\[Line (\d+), Column (\d+)\]/.exec(msg);
  const pos = m
    ? [Number(m[1]), Number(m[2])]
    : typeof at?.lineno === 'number'
      ? [at.lineno, at.colno ?? 1]
      : undefined;
  const raw = (msg.split('\n').at(-1) ?? msg).trim().replace(/^(Error|TypeError|Template render error): /, '');
  const why = raw
    .replace(/^unexpected token: \}\}$/, 'expected a value, found end of expression')
    .replace(/^expected symbol, got variable-end$/, 'expected a name (a filter or a test), found "}}"')
    .replace(/^expected variable end$/, 'expected "}}" (an expression must end here)')
    .replace(/^parseAggregate: expected colon after dict key$/, 'expected ":" after a dict key')
    .replace(/^parse\w+: /, '')
    .replace(/variable-end/g, '"}}"')
    .replace(/block-end/g, '"%}"');
  return { why, line: pos?.[0], col: pos?.[1] };
}

const cache = new Map<string, nunjucks.Template>();
const MAX_CACHE = 20_000;

/**
 * Compiles a template (cached per distinct text); throws TemplateError E_TEMPLATE_SYNTAX.
 * Params (`param`) keep backslashes in `{{ }}` string literals literal, as Ansible escapes them;
 * conditions and template files keep Jinja2's escapes.
 */
export function compile(text: string, shown = text, param = true): nunjucks.Template {
  const key = `${param ? 'p' : 'f'}${text}`;
  let c = cache.get(key);
  if (c) return c;
  const template = prepare(text, param);
  if (nesting(template) > MAX_NESTING)
    throw syntax(
      template,
      shown,
      `expressions nested deeper than ${MAX_NESTING} levels`,
      undefined,
      undefined,
      'split the expression into variables',
    );
  try {
    c = new nunjucks.Template(template, env, undefined, true);
  } catch (e) {
    if (e instanceof RangeError) throw syntax(template, shown, 'the template is nested too deeply');
    const r = nunjucksReason(e);
    const unknown = /^unknown (filter|test) "(.*)"$/.exec(r.why);
    const names = unknown?.[1] === 'filter' ? filterNames() : testNames();
    const hint = unknown ? (didYouMean(unknown[2]!, names) ?? `${unknown[1]}s: ${names.join(', ')}`) : undefined;
    throw syntax(template, shown, r.why, r.line, r.col, hint);
  }
  if (cache.size >= MAX_CACHE) cache.clear();
  cache.set(key, c);
  return c;
}
