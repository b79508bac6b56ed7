// `stackplay modules [NAME]` text: the module list, and one module's doc with a params table from its zod schema.
import { z } from 'zod';
import type { Module } from '../sdk.js';

/** One param as documented: generated from the schema, never written by hand. */
export interface ParamDoc {
  name: string;
  type: string;
  required: boolean;
  default?: unknown;
  description: string;
}

type JsonSchema = {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  default?: unknown;
  description?: string;
};

/** A short type name: string, integer, list of string, "a" | "b", map. */
export function typeName(s: JsonSchema): string {
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(' | ');
  if (s.const !== undefined) return JSON.stringify(s.const);
  const alts = s.anyOf ?? s.oneOf;
  if (alts) return [...new Set(alts.map(typeName))].join(' | ');
  const types = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
  if (types.length === 0) return 'any';
  return types
    .map((t) => (t === 'array' ? `list of ${s.items ? typeName(s.items) : 'any'}` : t === 'object' ? 'map' : t))
    .join(' | ');
}

/** The params of a module, in schema order, from the input side of its schema (defaults are optional). */
export function paramDocs(m: Module): ParamDoc[] {
  const schema = z.toJSONSchema(m.params, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties ?? {}).map(([name, s]) => ({
    name,
    type: typeName(s),
    required: required.has(name),
    ...(s.default !== undefined ? { default: s.default } : {}),
    description: s.description ?? '',
  }));
}

/** Aligned columns; the last column is not padded. */
function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) =>
    r
      .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
}

/** `stackplay modules`: one line per module, sorted by name. */
export function renderModuleList(modules: ReadonlyMap<string, Module>): string {
  const rows = [...modules.values()].sort((a, b) => a.name.localeCompare(b.name)).map((m) => [m.name, m.summary]);
  if (rows.length === 0) return '(no modules)';
  return [...table(rows), '', "Run `stackplay modules NAME` for one module's params and examples."].join('\n');
}

/** `stackplay modules NAME`: summary, behaviour flags, doc text and the params table. */
export function renderModuleDoc(m: Module): string {
  const lines = [`${m.name}: ${m.summary}`, ''];
  const traits: string[] = [];
  if (m.freeForm) traits.push(`Free-form: \`${m.name}: VALUE\` sets ${m.freeForm}.`);
  if (m.idempotent === false) traits.push('Not idempotent: it runs every time; check mode reports that it would run.');
  if (m.local) traits.push('Runs on the controller only; it never connects to the host.');
  if (traits.length) lines.push(...traits, '');
  if (m.doc) lines.push(m.doc.trim(), '');
  const params = paramDocs(m);
  if (params.length === 0) {
    lines.push('Params: none');
  } else {
    const rows = params.map((p) => [
      p.name,
      p.type,
      p.required ? 'yes' : 'no',
      p.default === undefined ? '' : JSON.stringify(p.default),
      p.description,
    ]);
    lines.push(
      'Params:',
      ...table([['name', 'type', 'required', 'default', 'description'], ...rows]).map((l) => `  ${l}`),
    );
  }
  return lines.join('\n');
}
