// Text filters: upper, lower, trim, replace, split, regex_replace/search/findall, format, capitalize, indent.
import { type Family, asString } from './define.js';
import { percentFormat } from './python.js';
import { toRegExp } from './regex.js';
import { toText } from './values.js';

const MAX_INPUT = 1_000_000;
const input = (v: unknown) => {
  const s = toText(v);
  return s.length > MAX_INPUT ? s.slice(0, MAX_INPUT) : s;
};

/** Python's `\1` and `\g<name>` in replacements, as JS's `$1` and `$<name>`. */
const replacement = (r: string) =>
  r
    .replace(/\$/g, '$$$$')
    .replace(/\\g<(\w+)>/g, (_, n: string) => (/^\d+$/.test(n) ? `$${n}` : `$<${n}>`))
    .replace(/\\(\d)/g, '$$$1');

export const textFilters: Family = {
  upper: { fn: (v) => toText(v).toUpperCase() },
  lower: { fn: (v) => toText(v).toLowerCase() },
  capitalize: { fn: (v) => toText(v).charAt(0).toUpperCase() + toText(v).slice(1).toLowerCase() },
  title: { fn: (v) => toText(v).replace(/\w\S*/g, (w) => w.charAt(0).toUpperCase() + w.slice(1).toLowerCase()) },
  trim: { fn: (v) => toText(v).trim() },
  replace: {
    params: ['old', 'new', 'count'],
    fn: (v, a) => {
      const parts = toText(v).split(asString(a.old));
      if (a.count === undefined) return parts.join(asString(a.new));
      const n = Number(a.count);
      return (
        parts.slice(0, n + 1).join(asString(a.new)) +
        (parts.length > n + 1 ? asString(a.old) + parts.slice(n + 1).join(asString(a.old)) : '')
      );
    },
  },
  split: {
    params: ['sep', 'maxsplit'],
    fn: (v, a) => {
      const s = toText(v);
      return a.sep === undefined || a.sep === null ? s.trim().split(/\s+/).filter(Boolean) : s.split(asString(a.sep));
    },
  },
  format: {
    params: ['a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7'],
    fn: (v, a) => percentFormat(toText(v), Object.values(a)),
  },
  indent: {
    params: ['width', 'first', 'blank'],
    fn: (v, a) => {
      const pad = typeof a.width === 'string' ? a.width : ' '.repeat(Number(a.width ?? 4));
      return toText(v)
        .split('\n')
        .map((l, i) => ((i > 0 || a.first === true) && (l !== '' || a.blank === true) ? pad + l : l))
        .join('\n');
    },
  },
  regex_replace: {
    params: ['pattern', 'replacement', 'ignorecase', 'multiline', 'count'],
    fn: (v, a) => {
      const re = toRegExp(asString(a.pattern), 'global', a.ignorecase === true, a.multiline === true);
      let n = 0;
      const max = a.count === undefined || Number(a.count) === 0 ? Infinity : Number(a.count);
      const rep = replacement(asString(a.replacement ?? ''));
      return input(v).replace(re, (...m: unknown[]) =>
        n++ < max ? String(m[0]).replace(new RegExp(re.source, re.flags.replace('g', '')), rep) : String(m[0]),
      );
    },
  },
  regex_search: {
    params: ['g1', 'g2', 'g3', 'ignorecase', 'multiline'],
    fn: (v, a) => {
      const m = toRegExp(asString(a.pattern ?? a.g1), 'search', a.ignorecase === true, a.multiline === true).exec(
        input(v),
      );
      if (!m) return null;
      const groups = [a.g2, a.g3].filter((g) => typeof g === 'string') as string[];
      if (groups.length === 0) return m[0];
      return groups.map((g) => (g.startsWith('\\g<') ? m.groups?.[g.slice(3, -1)] : m[Number(g.slice(1))]) ?? null);
    },
  },
  regex_findall: {
    params: ['pattern', 'ignorecase', 'multiline'],
    fn: (v, a) =>
      [...input(v).matchAll(toRegExp(asString(a.pattern), 'global', a.ignorecase === true, a.multiline === true))].map(
        (m) => (m.length === 1 ? m[0] : m.length === 2 ? m[1] : m.slice(1)),
      ),
  },
  regex_escape: { fn: (v) => toText(v).replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&') },
};
textFilters.regex_search!.params = ['pattern', 'g2', 'g3', 'ignorecase', 'multiline'];
