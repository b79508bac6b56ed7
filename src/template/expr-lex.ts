// Tokens of Ansible-style conditions, each with its offset for error messages.
import { ExprError } from './errors.js';

export type Token =
  | { t: 'num'; v: number; at: number }
  | { t: 'str'; v: string; at: number }
  | { t: 'name'; v: string; at: number }
  | { t: 'op'; v: string; at: number }
  | { t: 'end'; v: ''; at: number };

const OPS = [
  '==',
  '!=',
  '<=',
  '>=',
  '//',
  '**',
  '<',
  '>',
  '(',
  ')',
  '[',
  ']',
  '{',
  '}',
  ',',
  '.',
  '|',
  ':',
  '+',
  '-',
  '*',
  '/',
  '%',
  '~',
];
const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '0': '\0', '\\': '\\', "'": "'", '"': '"' };

export const syntaxError = (text: string, at: number, what: string, hint?: string): ExprError =>
  new ExprError('E_EXPR_SYNTAX', `invalid expression "${text.trim()}": ${what} at column ${at + 1}`, undefined, hint);

function readString(text: string, start: number): { v: string; end: number } {
  const quote = text[start]!;
  let out = '';
  for (let i = start + 1; i < text.length; i++) {
    const c = text[i]!;
    if (c === quote) return { v: out, end: i + 1 };
    if (c === '\\' && i + 1 < text.length) {
      const n = text[++i]!;
      out += ESCAPES[n] ?? `\\${n}`;
    } else {
      out += c;
    }
  }
  throw syntaxError(text, start, 'unterminated string');
}

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const num = /^\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i));
    if (num) {
      tokens.push({ t: 'num', v: Number(num[0]), at: i });
      i += num[0].length;
      continue;
    }
    if (c === '"' || c === "'") {
      const s = readString(text, i);
      tokens.push({ t: 'str', v: s.v, at: i });
      i = s.end;
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i));
    if (name) {
      tokens.push({ t: 'name', v: name[0], at: i });
      i += name[0].length;
      continue;
    }
    const op = OPS.find((o) => text.startsWith(o, i));
    if (!op) throw syntaxError(text, i, `unexpected character "${c}"`, c === '=' ? 'use "==" to compare' : undefined);
    tokens.push({ t: 'op', v: op, at: i });
    i += op.length;
  }
  tokens.push({ t: 'end', v: '', at: text.length });
  return tokens;
}
