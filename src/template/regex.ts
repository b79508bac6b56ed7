// Regexes from playbooks and host output, bounded: Python syntax translated, catastrophic backtracking refused up front.
import { TypeUse } from './values.js';

const MAX_PATTERN = 2000;
const cache = new Map<string, RegExp>();

/**
 * A pattern may backtrack exponentially when a repeated group itself holds a repetition
 * (`(a+)+`, `(\w*)*`, `(x|x?)+`) or repeats a backreference. JS regexes have no time bound and
 * block the controller's event loop (Ctrl-C included), so such patterns are refused.
 */
export function catastrophic(src: string): boolean {
  const stack: { quantified: boolean }[] = [];
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (c === '\\') {
      if (/[1-9k]/.test(src[i + 1] ?? '') && stack.length > 0) stack.at(-1)!.quantified = true;
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === '(') stack.push({ quantified: false });
    else if (c === ')') {
      const inner = stack.pop();
      const q = /^[*+?{]/.test(src[i + 1] ?? '') && !/^\?\?/.test(src.slice(i + 1)) && src.slice(i + 1, i + 3) !== '{0';
      const repeats = /^[*+{]/.test(src[i + 1] ?? '');
      if (inner?.quantified && repeats) return true;
      if (stack.length > 0 && (inner?.quantified || q)) stack.at(-1)!.quantified = true;
    } else if ((c === '*' || c === '+' || c === '{') && stack.length > 0) stack.at(-1)!.quantified = true;
  }
  return false;
}

/** A Python `re` pattern as a JS RegExp (named groups and inline flags translated); throws TypeUse when unsafe. */
export function toRegExp(
  pattern: string,
  mode: 'match' | 'search' | 'global',
  ignorecase = false,
  multiline = false,
): RegExp {
  const key = `${mode}\0${ignorecase}\0${multiline}\0${pattern}`;
  let re = cache.get(key);
  if (!re) {
    if (pattern.length > MAX_PATTERN) throw new TypeUse(`regular expression longer than ${MAX_PATTERN} characters`);
    let flags = mode === 'match' ? 'y' : mode === 'global' ? 'g' : '';
    if (ignorecase) flags += 'i';
    if (multiline) flags += 'm';
    let src = pattern.replace(/^\(\?([aiLmsux]+)\)/, (_, f: string) => {
      for (const c of f) if ('ims'.includes(c) && !flags.includes(c)) flags += c;
      return '';
    });
    src = src
      .replace(/\(\?P</g, '(?<')
      .replace(/\(\?P=(\w+)\)/g, '\\k<$1>')
      .replace(/\\A/g, '^')
      .replace(/\\Z/g, '$');
    if (catastrophic(src))
      throw new TypeUse(
        `regular expression ${JSON.stringify(pattern)} can backtrack catastrophically (a repeated group that itself repeats); rewrite it without nested repetition`,
      );
    try {
      re = new RegExp(src, flags);
    } catch (e) {
      throw new TypeUse(`invalid regular expression ${JSON.stringify(pattern)}: ${(e as Error).message}`);
    }
    if (cache.size > 500) cache.clear();
    cache.set(key, re);
  }
  re.lastIndex = 0;
  return re;
}
