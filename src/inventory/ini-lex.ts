// Words and values of one INI inventory line, as Ansible's ini plugin reads them: shlex words (posix, # comments), values by ast.literal_eval.
import { MAX_DEPTH } from '../load/depth.js';
import { literalEval, TooDeep } from './py-literal.js';

export interface Word {
  /** The word after shell unquoting (what Ansible sees). */
  text: string;
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

/**
 * Splits a host line into words as Python's shlex.split(line, comments=True): whitespace separates words
 * outside quotes, `#` outside quotes ends the line (also inside a word: a=b#c is a=b), a backslash outside
 * quotes escapes any character, inside double quotes only `"` and `\`, inside single quotes nothing.
 */
export function splitWords(line: string): { words: Word[]; error?: LexError } {
  const words: Word[] = [];
  let i = 0;
  let cur: Omit<Word, 'raw'> | undefined;
  const end = () => {
    if (cur) words.push({ ...cur, raw: line.slice(cur.col - 1, i) });
    cur = undefined;
  };
  while (i < line.length) {
    const c = line[i]!;
    if (/\s/.test(c)) {
      end();
      i++;
      continue;
    }
    if (c === '#') break;
    cur ??= { text: '', col: i + 1 };
    if (c === '\\') {
      if (i + 1 >= line.length) return { words, error: { message: 'no escaped character after "\\"', col: i + 1 } };
      cur.text += line[i + 1];
      i += 2;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      for (; j < line.length && line[j] !== c; j++) {
        if (c === '"' && line[j] === '\\' && (line[j + 1] === '"' || line[j + 1] === '\\')) j++;
        cur.text += line[j];
      }
      if (j >= line.length)
        return { words, error: { message: `unterminated ${c === '"' ? 'double' : 'single'} quote`, col: i + 1 } };
      i = j + 1;
    } else {
      cur.text += c;
      i++;
    }
  }
  end();
  return { words };
}

/**
 * Types a value as Ansible's ini plugin does (`_parse_value`): ast.literal_eval, else the text itself.
 * So 3.10 is the float 3.1, True/None are a bool and null, [1, 'a'] a list, but true and yes stay strings.
 */
export function parseValue(text: string): { value: unknown } | { error: LexError } {
  try {
    const value = literalEval(text, MAX_DEPTH);
    return { value: value === undefined ? text : value };
  } catch (e) {
    if (!(e instanceof TooDeep)) throw e;
    // Python reads up to about 200 levels; stackplay stops at MAX_DEPTH (README, Differences from Ansible).
    return {
      error: {
        message: `the value nests deeper than ${MAX_DEPTH} levels`,
        col: 1,
        code: 'E_INVENTORY_DEPTH',
        hint: 'flatten the value: no inventory var needs this depth',
      },
    };
  }
}
