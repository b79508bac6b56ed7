// Python `re` patterns and replacement templates, as Ansible's lineinfile and blockinfile read them, run with RegExp.

/** Leading inline flags such as (?m) or (?mi): Python reads them for the whole pattern. */
const INLINE_FLAGS = /^\(\?([aiLmsux]+)\)/;

export interface PyRegex {
  re: RegExp;
  /** The pattern had (?m): lineinfile and blockinfile treat such a pattern differently. */
  multiline: boolean;
}

/**
 * Compiles a Python regular expression to a RegExp with Python's meaning where they differ:
 * `$` also matches before a final newline (and, with (?m), before every newline, and only \n),
 * `.` matches \r, (?P<name>...) and (?P=name) are named groups, \A and \Z anchor the text, (?#...)
 * is a comment. Verbose patterns (?x) are refused. Throws an Error naming the pattern when invalid.
 */
export function pyRegex(pattern: string, what = 'regexp'): PyRegex {
  let rest = pattern;
  let flags = '';
  for (let m = INLINE_FLAGS.exec(rest); m; m = INLINE_FLAGS.exec(rest)) {
    flags += m[1];
    rest = rest.slice(m[0].length);
  }
  if (flags.includes('x')) throw new Error(`${what}: verbose patterns (?x) are not supported: ${pattern}`);
  const multiline = flags.includes('m');
  const dotAll = flags.includes('s');
  let out = '';
  for (let i = 0; i < rest.length; i++) {
    const c = rest[i]!;
    if (c === '\\') {
      const n = rest[i + 1] ?? '';
      i++;
      if (n === 'A') out += '(?<![\\s\\S])';
      else if (n === 'Z') out += '(?![\\s\\S])';
      else out += `\\${n}`;
    } else if (c === '[') {
      // A class is copied as it is; `]` right after `[` or `[^` is a literal.
      let j = i + 1;
      if (rest[j] === '^') j++;
      if (rest[j] === ']') j++;
      while (j < rest.length && rest[j] !== ']') j += rest[j] === '\\' ? 2 : 1;
      out += rest.slice(i, j + 1);
      i = j;
    } else if (rest.startsWith('(?P<', i)) {
      out += '(?<';
      i += 3;
    } else if (rest.startsWith('(?P=', i)) {
      const end = rest.indexOf(')', i);
      out += `\\k<${rest.slice(i + 4, end)}>`;
      i = end;
    } else if (rest.startsWith('(?#', i)) {
      i = rest.indexOf(')', i);
      if (i < 0) break;
    } else if (c === '.') out += dotAll ? '[\\s\\S]' : '[^\\n]';
    else if (c === '^') out += multiline ? '(?<![^\\n])' : '^';
    else if (c === '$') out += multiline ? '(?=\\n|(?![\\s\\S]))' : '(?=\\n?(?![\\s\\S]))';
    else out += c;
  }
  try {
    return { re: new RegExp(out, flags.includes('i') ? 'i' : ''), multiline };
  } catch (e) {
    throw new Error(`${what} ${JSON.stringify(pattern)} is not a valid regular expression: ${(e as Error).message}`);
  }
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', f: '\f', v: '\v', a: '\x07', b: '\b', '\\': '\\' };

/** Python's match.expand(template): \1 .. \99, \g<1>, \g<name>, and the usual character escapes. */
export function pyExpand(match: RegExpExecArray, template: string): string {
  const group = (ref: string): string => {
    const value = /^\d+$/.test(ref) ? match[Number(ref)] : match.groups?.[ref];
    if (value === undefined && !(/^\d+$/.test(ref) ? Number(ref) < match.length : ref in (match.groups ?? {})))
      throw new Error(`invalid group reference ${ref} in ${JSON.stringify(template)}`);
    return value ?? '';
  };
  return template.replace(/\\(g<([^>]*)>|[1-9][0-9]?|[\s\S])/g, (all, what: string, name?: string) => {
    if (name !== undefined) return group(name);
    if (/^[1-9]/.test(what)) return group(what);
    if (what === '0') return '\0';
    const esc = ESCAPES[what];
    if (esc !== undefined) return esc;
    if (/[A-Za-z]/.test(what)) throw new Error(`bad escape \\${what} in ${JSON.stringify(template)}`);
    return all;
  });
}
