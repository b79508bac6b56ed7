// Parses the subset of POSIX sh the fake transport understands into a small syntax tree.

/** Part of a word: literal text, $NAME / ${NAME} / $1, $(command) or $((arithmetic)). */
export type Part =
  | { t: 'lit'; s: string }
  | { t: 'var'; name: string }
  | { t: 'cmd'; src: string }
  | { t: 'arith'; src: string };

export interface Word {
  parts: Part[] /** written without quotes, escapes or expansions (so it can be a keyword) */;
  plain: boolean;
}
export interface Redir {
  fd: number;
  op: '>' | '>>' | '<' | '<>' | '>&' | '<&';
  target: Word;
}

export type Node =
  | { k: 'seq'; items: Node[] }
  | { k: 'and' | 'or'; left: Node; right: Node }
  | { k: 'not'; body: Node }
  | { k: 'pipe'; cmds: Node[] }
  | { k: 'simple'; assigns: [string, Word][]; words: Word[]; redirs: Redir[] }
  | { k: 'group'; body: Node; subshell: boolean; redirs: Redir[] }
  | { k: 'if'; branches: [Node, Node][]; otherwise?: Node; redirs: Redir[] }
  | { k: 'loop'; until: boolean; cond: Node; body: Node; redirs: Redir[] }
  /** `for NAME in WORDS; do ...; done` (words are expanded, never globbed: the fake has no globbing). */
  | { k: 'for'; name: string; items: Word[]; body: Node; redirs: Redir[] };

/** Syntax the fake does not implement: reported as such, never guessed at. */
export class Unsupported extends Error {}

type Token = { op: string } | { word: Word } | { redir: Redir };

const OPS = ['&&', '||', ';;', ';', '|', '&', '(', ')', '\n'];
const isBlank = (c: string) => c === ' ' || c === '\t';
const isMeta = (c: string) => ';&|()<>\n'.includes(c) || isBlank(c);

/** Index just past the `)` closing an opening at `start` (quotes respected). */
function closing(src: string, start: number, depth = 1): number {
  for (let i = start; i < src.length; i++) {
    const c = src[i]!;
    if (c === '\\') i++;
    else if (c === "'") i = src.indexOf("'", i + 1);
    else if (c === '"') {
      for (i++; i < src.length && src[i] !== '"'; i++) if (src[i] === '\\') i++;
    } else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i + 1;
    if (i < 0) break;
  }
  throw new Unsupported('unterminated $(');
}

/** Reads a `$...` expansion at src[i] === '$'; returns the part and the next index. */
function dollar(src: string, i: number): [Part, number] {
  const rest = src.slice(i + 1);
  if (rest.startsWith('((')) {
    const end = closing(src, i + 3, 2);
    return [{ t: 'arith', src: src.slice(i + 3, end - 2) }, end];
  }
  if (rest.startsWith('(')) {
    const end = closing(src, i + 2);
    return [{ t: 'cmd', src: src.slice(i + 2, end - 1) }, end];
  }
  if (rest.startsWith('{')) {
    const end = src.indexOf('}', i);
    const name = src.slice(i + 2, end);
    if (end < 0 || !/^([A-Za-z_][A-Za-z0-9_]*|[0-9]+|[?#@*$])$/.test(name)) throw new Unsupported(`\${${name}}`);
    return [{ t: 'var', name }, end + 1];
  }
  const m = /^([A-Za-z_][A-Za-z0-9_]*|[0-9?#@*$])/.exec(rest);
  return m ? [{ t: 'var', name: m[1]! }, i + 1 + m[1]!.length] : [{ t: 'lit', s: '$' }, i + 1];
}

function readWord(src: string, i: number): [Word, number] {
  const parts: Part[] = [];
  let plain = true;
  const lit = (s: string) => {
    const last = parts[parts.length - 1];
    if (last?.t === 'lit') last.s += s;
    else parts.push({ t: 'lit', s });
  };
  while (i < src.length && !isMeta(src[i]!)) {
    const c = src[i]!;
    if (c === '\\') {
      plain = false;
      if (src[i + 1] !== '\n') lit(src[i + 1] ?? '');
      i += 2;
    } else if (c === "'") {
      const end = src.indexOf("'", i + 1);
      if (end < 0) throw new Unsupported('unterminated quote');
      plain = false;
      lit(src.slice(i + 1, end));
      i = end + 1;
      if (parts.length === 0) parts.push({ t: 'lit', s: '' });
    } else if (c === '"') {
      plain = false;
      i++;
      if (parts.length === 0) parts.push({ t: 'lit', s: '' });
      while (src[i] !== '"') {
        if (i >= src.length) throw new Unsupported('unterminated quote');
        if (src[i] === '\\' && '$`"\\\n'.includes(src[i + 1] ?? '')) {
          lit(src[i + 1]!);
          i += 2;
        } else if (src[i] === '$') {
          const [p, n] = dollar(src, i);
          if (p.t === 'lit') lit(p.s);
          else parts.push(p);
          i = n;
        } else if (src[i] === '`') throw new Unsupported('backquotes');
        else lit(src[i++]!);
      }
      i++;
    } else if (c === '$') {
      const [p, n] = dollar(src, i);
      if (p.t === 'lit') lit(p.s);
      else {
        plain = false;
        parts.push(p);
      }
      i = n;
    } else if (c === '`') throw new Unsupported('backquotes');
    else lit(src[i++]!);
  }
  return [{ parts, plain }, i];
}

export function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (isBlank(c)) {
      i++;
      continue;
    }
    if (c === '\\' && src[i + 1] === '\n') {
      i += 2;
      continue;
    }
    if (c === '#') {
      while (i < src.length && src[i] !== '\n') i++;
      continue;
    }
    const redir = /^([0-9]*)(>>|>&|<&|<>|>|<)/.exec(src.slice(i));
    if (redir) {
      const [all, fd, op] = redir as unknown as [string, string, Redir['op']];
      let j = i + all.length;
      while (isBlank(src[j] ?? '')) j++;
      const [target, n] = readWord(src, j);
      if (target.parts.length === 0) throw new Unsupported(`redirection without a target at ${i}`);
      out.push({ redir: { fd: fd === '' ? (op.startsWith('<') ? 0 : 1) : Number(fd), op, target } });
      i = n;
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (op) {
      out.push({ op });
      i += op.length;
      continue;
    }
    const [word, n] = readWord(src, i);
    out.push({ word });
    i = n;
  }
  return out;
}

const keyword = (t: Token | undefined): string | undefined =>
  t && 'word' in t && t.word.plain && t.word.parts.length === 1 && t.word.parts[0]!.t === 'lit'
    ? t.word.parts[0]!.s
    : undefined;

const RESERVED = new Set(['then', 'elif', 'else', 'fi', 'do', 'done', '}']);

/** Parses a whole script. */
export function parse(src: string): Node {
  const toks = tokenize(src);
  let i = 0;
  const peekOp = () => {
    const t = toks[i];
    return t && 'op' in t ? t.op : undefined;
  };
  const expectWord = (w: string) => {
    if (keyword(toks[i]) !== w) throw new Unsupported(`expected "${w}" near token ${i}`);
    i++;
  };
  const skipNewlines = () => {
    while (peekOp() === '\n') i++;
  };

  function list(): Node {
    const items: Node[] = [];
    skipNewlines();
    while (i < toks.length && peekOp() !== ')' && !RESERVED.has(keyword(toks[i]) ?? '')) {
      items.push(andOr());
      const op = peekOp();
      if (op === '&') throw new Unsupported('background jobs');
      if (op === ';' || op === '\n') {
        i++;
        skipNewlines();
      } else break;
    }
    return items.length === 1 ? items[0]! : { k: 'seq', items };
  }
  function andOr(): Node {
    let left = pipeline();
    for (let op = peekOp(); op === '&&' || op === '||'; op = peekOp()) {
      i++;
      skipNewlines();
      left = { k: op === '&&' ? 'and' : 'or', left, right: pipeline() };
    }
    return left;
  }
  function pipeline(): Node {
    const negate = keyword(toks[i]) === '!';
    if (negate) i++;
    const cmds = [command()];
    while (peekOp() === '|') {
      i++;
      skipNewlines();
      cmds.push(command());
    }
    const node: Node = cmds.length === 1 ? cmds[0]! : { k: 'pipe', cmds };
    return negate ? { k: 'not', body: node } : node;
  }
  function redirs(): Redir[] {
    const r: Redir[] = [];
    for (let t = toks[i]; t && 'redir' in t; t = toks[++i]) r.push(t.redir);
    return r;
  }
  function command(): Node {
    const kw = keyword(toks[i]);
    if (peekOp() === '(') {
      i++;
      const body = list();
      if (peekOp() !== ')') throw new Unsupported('unclosed (');
      i++;
      return { k: 'group', body, subshell: true, redirs: redirs() };
    }
    if (kw === '{') {
      i++;
      const body = list();
      expectWord('}');
      return { k: 'group', body, subshell: false, redirs: redirs() };
    }
    if (kw === 'if') {
      i++;
      const branches: [Node, Node][] = [];
      let otherwise: Node | undefined;
      for (;;) {
        const cond = list();
        expectWord('then');
        branches.push([cond, list()]);
        const next = keyword(toks[i]);
        i++;
        if (next === 'elif') continue;
        if (next === 'else') {
          otherwise = list();
          expectWord('fi');
        } else if (next !== 'fi') throw new Unsupported('if without fi');
        break;
      }
      return otherwise ? { k: 'if', branches, otherwise, redirs: redirs() } : { k: 'if', branches, redirs: redirs() };
    }
    if (kw === 'while' || kw === 'until') {
      i++;
      const cond = list();
      expectWord('do');
      const body = list();
      expectWord('done');
      return { k: 'loop', until: kw === 'until', cond, body, redirs: redirs() };
    }
    if (kw === 'for') {
      i++;
      const name = keyword(toks[i]);
      if (!name || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Unsupported('for without a name');
      i++;
      expectWord('in');
      const items: Word[] = [];
      for (let t = toks[i]; t && 'word' in t; t = toks[++i]) items.push(t.word);
      if (peekOp() === ';' || peekOp() === '\n') i++;
      skipNewlines();
      expectWord('do');
      const body = list();
      expectWord('done');
      return { k: 'for', name, items, body, redirs: redirs() };
    }
    if (kw === 'case' || kw === 'function') throw new Unsupported(kw);
    const assigns: [string, Word][] = [];
    const words: Word[] = [];
    const rs: Redir[] = [];
    for (let t = toks[i]; t && !('op' in t); t = toks[++i]) {
      if ('redir' in t) {
        rs.push(t.redir);
        continue;
      }
      const first = t.word.parts[0];
      const m = words.length === 0 && first?.t === 'lit' ? /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(first.s) : null;
      if (m)
        assigns.push([
          m[1]!,
          {
            plain: false,
            parts: [{ t: 'lit', s: first!.t === 'lit' ? first!.s.slice(m[0].length) : '' }, ...t.word.parts.slice(1)],
          },
        ]);
      else words.push(t.word);
    }
    if (words.length === 0 && assigns.length === 0 && rs.length === 0)
      throw new Unsupported(`unexpected token ${JSON.stringify(toks[i])}`);
    return { k: 'simple', assigns, words, redirs: rs };
  }

  const tree = list();
  skipNewlines();
  if (i < toks.length) throw new Unsupported(`unexpected ${JSON.stringify(toks[i])}`);
  return tree;
}

/** The text of $((...)) as a word: its $-expansions run first, then it is evaluated. */
export function arithWord(src: string): Word {
  const parts: Part[] = [];
  let i = 0;
  let lit = '';
  while (i < src.length) {
    if (src[i] !== '$') {
      lit += src[i++];
      continue;
    }
    const [p, n] = dollar(src, i);
    if (p.t === 'lit') lit += p.s;
    else {
      if (lit) parts.push({ t: 'lit', s: lit });
      lit = '';
      parts.push(p);
    }
    i = n;
  }
  if (lit) parts.push({ t: 'lit', s: lit });
  return { parts, plain: false };
}
