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
import { installPythonSemantics } from './nunjucks-patch.js';
import { filterNames, registerFilter, registerTest, testNames } from './registry.js';
import { tests } from './tests.js';
import { defined } from './values.js';

/** Deeper nesting than this is refused before parsing: the parser recurses and must not overflow the stack. */
export const MAX_NESTING = 100;

installPythonSemantics();
export const env = new nunjucks.Environment(null, { autoescape: false, throwOnUndefined: false });

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
const fns = globals({ baseDir: () => lookupHost.baseDir(), renderFile: (t, f) => lookupHost.renderFile(t, f) });
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

interface PNode {
  typename?: string;
  lineno?: number;
  colno?: number;
  name?: PNode & { value?: unknown };
  right?: PNode & { name?: { value?: unknown }; value?: unknown };
}

/** The first filter or test the template uses that is not registered (checked before it runs). */
function unknownName(root: unknown): { kind: string; name: string; node: PNode } | undefined {
  const seen = new Set<unknown>();
  const visit = (n: unknown): ReturnType<typeof unknownName> => {
    if (!n || typeof n !== 'object' || seen.has(n)) return undefined;
    seen.add(n);
    const node = n as PNode;
    const f = node.name?.value;
    if (node.typename === 'Filter' && typeof f === 'string' && f !== CAPTURE && !filterNames().includes(f))
      return { kind: 'filter', name: f, node };
    if (node.typename === 'Is') {
      const name = node.right?.name?.value ?? node.right?.value;
      if (typeof name === 'string' && !testNames().includes(name)) return { kind: 'test', name, node };
    }
    for (const v of Object.values(n)) {
      const found = Array.isArray(v) ? v.map(visit).find(Boolean) : visit(v);
      if (found) return found;
    }
    return undefined;
  };
  return visit(root);
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
    .replace(/^unexpected token: \}\}$/, 'expected a value, found the end of the expression')
    .replace(/^expected symbol, got variable-end$/, 'expected a name (a filter or a test), found "}}"')
    .replace(/^expected variable end$/, 'expected "}}" (an expression must end here)')
    .replace(/^parseAggregate: expected colon after dict key$/, 'expected ":" after a dict key')
    .replace(/variable-end/g, '"}}"')
    .replace(/block-end/g, '"%}"');
  return { why, line: pos?.[0], col: pos?.[1] };
}

const cache = new Map<string, nunjucks.Template>();
const MAX_CACHE = 20_000;

/** Compiles a template (cached per distinct text); throws TemplateError E_TEMPLATE_SYNTAX. */
export function compile(template: string, shown = template): nunjucks.Template {
  let c = cache.get(template);
  if (c) return c;
  if (nesting(template) > MAX_NESTING)
    throw syntax(
      template,
      shown,
      `expressions nested deeper than ${MAX_NESTING} levels`,
      undefined,
      undefined,
      'split the expression into variables',
    );
  let root: unknown;
  try {
    root = (nunjucks as unknown as { parser: { parse(src: string): unknown } }).parser.parse(template);
    c = new nunjucks.Template(template, env, undefined, true);
  } catch (e) {
    if (e instanceof RangeError) throw syntax(template, shown, 'the template is nested too deeply');
    const r = nunjucksReason(e);
    throw syntax(template, shown, r.why, r.line, r.col);
  }
  const unknown = unknownName(root);
  if (unknown) {
    const names = unknown.kind === 'filter' ? filterNames() : testNames();
    throw syntax(
      template,
      shown,
      `unknown ${unknown.kind} "${unknown.name}"`,
      ((unknown.node.name as PNode | undefined)?.lineno ?? unknown.node.lineno ?? 0) + 1,
      ((unknown.node.name as PNode | undefined)?.colno ?? unknown.node.colno ?? 0) + 1,
      didYouMean(unknown.name, names) ?? `${unknown.kind}s: ${names.join(', ')}`,
    );
  }
  if (cache.size >= MAX_CACHE) cache.clear();
  cache.set(template, c);
  return c;
}
