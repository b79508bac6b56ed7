// Handlebars, only for template files ending in `.hbs`: strict (a missing variable fails), never HTML-escaped.
import { createRequire } from 'node:module';
import type HandlebarsType from 'handlebars';
import { TemplateError, undefinedHint } from './errors.js';

/** Loaded on the first `.hbs` file: a run without one does not pay for compiling Handlebars at start. */
let engine: typeof HandlebarsType | undefined;
const handlebars = (): typeof HandlebarsType =>
  (engine ??= (createRequire(import.meta.url)('handlebars') as typeof HandlebarsType).create());
const cache = new Map<string, HandlebarsType.TemplateDelegate>();

/** Renders a `.hbs` file's text with the host's variables; errors name the file. */
export function renderHandlebars(text: string, vars: Readonly<Record<string, unknown>>, file: string): string {
  let t = cache.get(text);
  try {
    if (!t) {
      t = handlebars().compile(text, { noEscape: true, strict: true });
      cache.set(text, t);
    }
    return t({ ...vars });
  } catch (e) {
    const msg = (e as Error).message;
    const missing = /^"([^"]+)" not defined in/.exec(msg);
    const line = /on line (\d+)/.exec(msg);
    const at = { file, line: line ? Number(line[1]) : 1, col: 1 };
    if (missing)
      throw new TemplateError(
        'E_TEMPLATE_UNDEFINED',
        `undefined variable "${missing[1]}" in template ${file}`,
        at,
        missing[1],
        undefinedHint,
      );
    throw new TemplateError('E_TEMPLATE_SYNTAX', `Handlebars template ${file}: ${msg.split('\n').at(-1)}`, at);
  }
}
