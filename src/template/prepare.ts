// Template text as Ansible hands it to Jinja2: `}}` inside a dict literal kept in the expression, backslashes in params literal.

/**
 * Returns the text nunjucks should compile. Inside `{{ }}` and `{% %}`:
 * - a `}` that closes a dict literal gets a space after it, so `{'b': {'x': 1}}` is not read as the
 *   end of the expression (Jinja2's lexer counts braces; nunjucks' does not);
 * - with `literalBackslashes` (params, not conditions or template files), a backslash inside a
 *   string literal of a `{{ }}` stays a backslash, as Ansible escapes them before Jinja2 sees the
 *   string: `regex_search('\d+')` means the regex `\d+`.
 */
export function prepare(template: string, literalBackslashes: boolean): string {
  let out = '';
  let i = 0;
  while (i < template.length) {
    const open = template.indexOf('{', i);
    if (open < 0) break;
    const next = template[open + 1];
    if (next !== '{' && next !== '%' && next !== '#') {
      out += template.slice(i, open + 1);
      i = open + 1;
      continue;
    }
    out += template.slice(i, open + 2);
    i = open + 2;
    if (next === '#') {
      const end = template.indexOf('#}', i);
      const stop = end < 0 ? template.length : end + 2;
      out += template.slice(i, stop);
      i = stop;
      continue;
    }
    const raw = next === '%' && /^-?\s*raw\s*-?%\}/.exec(template.slice(i));
    if (raw) {
      const end = /\{%-?\s*endraw\s*-?%\}/.exec(template.slice(i));
      const stop = end ? i + end.index + end[0].length : template.length;
      out += template.slice(i, stop);
      i = stop;
      continue;
    }
    const close = next === '{' ? '}' : '%';
    let depth = 0;
    let quote = '';
    for (; i < template.length; i++) {
      const c = template[i]!;
      if (quote) {
        if (c === '\\') {
          const literal = literalBackslashes && close === '}';
          out += literal ? '\\\\' : c + (template[i + 1] ?? '');
          if (!literal) i++;
          continue;
        }
        if (c === quote) quote = '';
        out += c;
        continue;
      }
      if (c === '"' || c === "'") quote = c;
      else if (c === '{') depth++;
      else if (c === '}' && depth > 0) {
        depth--;
        out += '} ';
        continue;
      } else if (c === close && template[i + 1] === '}' && depth === 0) {
        out += `${c}}`;
        i += 2;
        break;
      }
      out += c;
    }
  }
  return out + template.slice(i);
}

/** The index just past the `}}` closing the `{{` at `start` (quotes and dict braces skipped), or -1. */
export function tagEnd(t: string, start: number): number {
  let depth = 0;
  let quote = '';
  for (let i = start + 2; i < t.length; i++) {
    const c = t[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '{') depth++;
    else if (c === '}' && depth > 0) depth--;
    else if (c === '}' && t[i + 1] === '}') return i + 2;
  }
  return -1;
}
