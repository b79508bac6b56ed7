// Words, quotes and values of one INI inventory line (shell-like quoting, as Ansible's shlex split).
import { MAX_DEPTH, valueTooDeep } from '../load/depth.js';

export interface Word {
  /** As written, quotes included. */
  raw: string;
  /** 1-based column of its first character. */
  col: number;
}

export interface LexError {
  message: string;
  col: number;
  /** Set when the problem is not a quote (the default code and hint are about quotes). */
  code?: string;
  hint?: string;
}

const ESCAPABLE = new Set(['"', "'", '\\', ' ', '\t', '#']);

/** Where the quote starting at `i` ends (index of the closing quote), or -1. */
function closingQuote(line: string, i: number): number {
  const q = line[i];
  for (let j = i + 1; j < line.length; j++) {
    if (q === '"' && line[j] === '\\') {
      j++;
      continue;
    }
    if (line[j] === q) return j;
  }
  return -1;
}

/** Splits a line into words at whitespace outside quotes; `#` at the start of a word begins a comment. */
export function splitWords(line: string): { words: Word[]; error?: LexError } {
  const words: Word[] = [];
  let i = 0;
  while (i < line.length) {
    while (i < line.length && /\s/.test(line[i]!)) i++;
    if (i >= line.length || line[i] === '#') break;
    const start = i;
    while (i < line.length && !/\s/.test(line[i]!)) {
      const c = line[i]!;
      if (c === '"' || c === "'") {
        const end = closingQuote(line, i);
        if (end < 0)
          return { words, error: { message: `unterminated ${c === '"' ? 'double' : 'single'} quote`, col: i + 1 } };
        i = end + 1;
      } else if (c === '\\' && ESCAPABLE.has(line[i + 1] ?? '')) {
        i += 2;
      } else {
        i++;
      }
    }
    words.push({ raw: line.slice(start, i), col: start + 1 });
  }
  return { words };
}

/** Index of the first `ch` outside quotes, or -1. */
export function indexOutsideQuotes(text: string, ch: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === ch) return i;
    if (c === '"' || c === "'") {
      const end = closingQuote(text, i);
      if (end < 0) return -1;
      i = end;
    } else if (c === '\\') {
      i++;
    }
  }
  return -1;
}

/** Cuts a trailing ` # comment` (a `#` after whitespace, outside quotes). */
export function stripComment(text: string): string {
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '#' && (i === 0 || /\s/.test(text[i - 1]!))) return text.slice(0, i).trimEnd();
    if (c === '"' || c === "'") {
      const end = closingQuote(text, i);
      if (end < 0) return text;
      i = end;
    } else if (c === '\\') {
      i++;
    }
  }
  return text;
}

/** Removes shell quoting. `quoted` is true when the whole text was one quoted string (it then stays a string). */
export function unquote(raw: string): { text: string; quoted: boolean } | { error: LexError } {
  let text = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === "'" || c === '"') {
      const end = closingQuote(raw, i);
      if (end < 0) return { error: { message: `unterminated ${c === '"' ? 'double' : 'single'} quote`, col: i + 1 } };
      const body = raw.slice(i + 1, end);
      text += c === '"' ? body.replace(/\\(["\\])/g, '$1') : body;
      if (i === 0 && end === raw.length - 1) return { text, quoted: true };
      i = end;
    } else if (c === '\\' && ESCAPABLE.has(raw[i + 1] ?? '')) {
      text += raw[++i];
    } else {
      text += c;
    }
  }
  return { text, quoted: false };
}

/**
 * Types an unquoted INI value: whole numbers become numbers, true/false/yes/no booleans; everything
 * else stays a string. Decimals stay strings on purpose: Ansible would
 * read kato_version=3.10 as the float 3.1.
 */
export function typeValue(text: string): unknown {
  if (/^-?(0|[1-9]\d*)$/.test(text)) {
    const n = Number(text);
    return Number.isSafeInteger(n) ? n : text;
  }
  if (/^(true|yes)$/i.test(text)) return true;
  if (/^(false|no)$/i.test(text)) return false;
  return text;
}

/** A JSON list or dict, also in Python's ['a', 'b'] spelling (as Ansible's literal_eval reads it). */
function parseJsonish(raw: string): { value: unknown } | { error: LexError } | undefined {
  if (!/^[[{]/.test(raw)) return undefined;
  for (const candidate of [raw, raw.replace(/'/g, '"')]) {
    try {
      const value = JSON.parse(candidate) as unknown;
      if (valueTooDeep(value))
        return {
          error: {
            message: `the value nests deeper than ${MAX_DEPTH} levels`,
            col: 1,
            code: 'E_INVENTORY_DEPTH',
            hint: 'flatten the value: no inventory var needs this depth',
          },
        };
      return { value };
    } catch {
      // not this reading: try the next one
    }
  }
  return undefined;
}

/** An INI value as written (maybe quoted) into its typed value. */
export function parseValue(raw: string): { value: unknown } | { error: LexError } {
  // A list or dict keeps its inner quotes: {"cpu": 2} is read before shell unquoting.
  const json = parseJsonish(raw);
  if (json) return json;
  const u = unquote(raw);
  if ('error' in u) return u;
  return { value: u.quoted ? u.text : typeValue(u.text) };
}
