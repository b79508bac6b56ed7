// A POSIX shell tokenizer for tests: words after quote removal, and operators; cross-checked against a real sh.

export type Token = { word: string } | { op: string };

const OPS = ['&&', '||', '>>', ';', '|', '&', '(', ')', '>', '<'];

/** Copies `$(...)`, `$((...))` or `${...}` raw from s[i] (at "$"), honouring quotes inside; returns the end index. */
function expansionEnd(s: string, i: number): number {
  const open = s[i + 1];
  const close = open === '(' ? ')' : '}';
  let depth = 0;
  for (let j = i + 1; j < s.length; j++) {
    const c = s[j]!;
    if (c === "'") j = s.indexOf("'", j + 1);
    else if (c === '\\') j++;
    else if (c === open) depth++;
    else if (c === close && --depth === 0) return j;
    if (j < 0) break;
  }
  throw new Error(`unterminated expansion in: ${s}`);
}

/** Splits a command line into words (quotes removed, expansions kept raw) and operators. */
export function shellTokens(s: string): Token[] {
  const out: Token[] = [];
  let cur: string | undefined;
  const end = () => {
    if (cur !== undefined) out.push({ word: cur });
    cur = undefined;
  };
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === ' ' || c === '\t') end();
    else if (c === '\n') {
      end();
      out.push({ op: ';' });
    } else if (c === '#' && cur === undefined) {
      const nl = s.indexOf('\n', i);
      i = nl < 0 ? s.length : nl - 1;
    } else if (c === "'") {
      const close = s.indexOf("'", i + 1);
      if (close < 0) throw new Error(`unterminated ' in: ${s}`);
      cur = (cur ?? '') + s.slice(i + 1, close);
      i = close;
    } else if (c === '"') {
      cur ??= '';
      let j = i + 1;
      for (; j < s.length && s[j] !== '"'; j++) {
        if (s[j] === '\\' && '$`"\\\n'.includes(s[j + 1] ?? '')) {
          if (s[j + 1] !== '\n') cur += s[j + 1];
          j++;
        } else if (s[j] === '$' && (s[j + 1] === '(' || s[j + 1] === '{')) {
          const e = expansionEnd(s, j);
          cur += s.slice(j, e + 1);
          j = e;
        } else cur += s[j];
      }
      if (j >= s.length) throw new Error(`unterminated " in: ${s}`);
      i = j;
    } else if (c === '\\') {
      if (s[i + 1] !== '\n') cur = (cur ?? '') + (s[i + 1] ?? '');
      i++;
    } else if (c === '$' && (s[i + 1] === '(' || s[i + 1] === '{')) {
      const e = expansionEnd(s, i);
      cur = (cur ?? '') + s.slice(i, e + 1);
      i = e;
    } else {
      const op = OPS.find((o) => s.startsWith(o, i));
      if (op) {
        end();
        out.push({ op });
        i += op.length - 1;
      } else cur = (cur ?? '') + c;
    }
  }
  end();
  return out;
}
