// `-e` extra vars: `k=v k2="a b"`, `@file.yml` (a YAML mapping) and inline JSON/YAML `{"k": 1}`; later ones win.
import { isMap, isScalar } from 'yaml';
import { diag, type Diagnostic } from '../errors.js';
import { loadYaml, parseYaml, spanOf, type YamlSource } from './source.js';

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const USAGE = 'use -e key=value, -e @vars.yml or -e \'{"key": "value"}\'';

interface Parsed {
  vars: Record<string, unknown>;
  diagnostics: Diagnostic[];
}

/** The mapping at the root of a YAML/JSON source, or a diagnostic. */
function mappingOf(src: YamlSource, what: string): Parsed {
  const root = src.doc.contents;
  if (!root || (isScalar(root) && root.value === null)) return { vars: {}, diagnostics: [] };
  if (!isMap(root)) {
    return {
      vars: {},
      diagnostics: [
        diag('E_EXTRA_VARS', `${what}: extra vars must be a mapping of names to values`, spanOf(src, root), USAGE),
      ],
    };
  }
  return { vars: root.toJS(src.doc) as Record<string, unknown>, diagnostics: [] };
}

function fromFile(file: string): Parsed {
  if (file === '')
    return { vars: {}, diagnostics: [diag('E_EXTRA_VARS', '-e @: no file named after "@"', undefined, USAGE)] };
  const loaded = loadYaml(file);
  if (!loaded.src || loaded.diagnostics.length > 0) return { vars: {}, diagnostics: loaded.diagnostics };
  return mappingOf(loaded.src, file);
}

function fromInline(label: string, text: string): Parsed {
  const { src, diagnostics } = parseYaml(label, text);
  if (diagnostics.length > 0) return { vars: {}, diagnostics };
  return mappingOf(src, label);
}

/** Splits `a=1 b="x y" c='z'` like a shell would (quotes removed, backslash escapes). */
function splitWords(text: string): { words: { word: string; at: number }[] } | { unclosed: number } {
  const words: { word: string; at: number }[] = [];
  let cur: { word: string; at: number } | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      if (cur) words.push(cur);
      cur = undefined;
      continue;
    }
    cur ??= { word: '', at: i };
    if (c === '\\' && i + 1 < text.length) {
      cur.word += text[++i];
      continue;
    }
    if (c !== '"' && c !== "'") {
      cur.word += c;
      continue;
    }
    const start = i;
    for (i++; i < text.length && text[i] !== c; i++) {
      if (c === '"' && text[i] === '\\' && i + 1 < text.length) i++;
      cur.word += text[i];
    }
    if (i >= text.length) return { unclosed: start };
  }
  if (cur) words.push(cur);
  return { words };
}

function fromPairs(label: string, text: string): Parsed {
  const vars: Record<string, unknown> = {};
  const diagnostics: Diagnostic[] = [];
  const at = (i: number) => ({ file: label, line: 1, col: i + 1 });
  const split = splitWords(text);
  if ('unclosed' in split)
    return {
      vars,
      diagnostics: [
        diag(
          'E_EXTRA_VARS',
          `-e ${text}: unclosed quote`,
          at(split.unclosed),
          'close the quote, and quote the whole -e value for your shell',
        ),
      ],
    };
  for (const { word, at: i } of split.words) {
    const eq = word.indexOf('=');
    const key = eq < 0 ? word : word.slice(0, eq);
    if (eq < 0) diagnostics.push(diag('E_EXTRA_VARS', `-e ${word}: expected key=value`, at(i), USAGE));
    else if (!NAME.test(key))
      diagnostics.push(
        diag(
          'E_EXTRA_VARS',
          `-e ${word}: "${key}" is not a variable name`,
          at(i),
          'names use letters, digits and _, and do not start with a digit',
        ),
      );
    else vars[key] = word.slice(eq + 1);
  }
  return { vars, diagnostics };
}

/**
 * Parses every `-e` argument in order; values given as key=value are strings, as in Ansible.
 * `origins` names, per var, the -e that set it last (`-e #2`, or the @file), for diagnostics.
 */
export function parseExtraVars(args: readonly string[]): {
  vars: Record<string, unknown>;
  origins: Record<string, string>;
  diagnostics: Diagnostic[];
} {
  const vars: Record<string, unknown> = {};
  const origins: Record<string, string> = {};
  const diagnostics: Diagnostic[] = [];
  args.forEach((arg, i) => {
    const text = arg.trim();
    const label = `-e #${i + 1}`;
    let got: Parsed;
    if (text === '') got = { vars: {}, diagnostics: [diag('E_EXTRA_VARS', `${label}: empty value`, undefined, USAGE)] };
    else if (text.startsWith('@')) got = fromFile(text.slice(1));
    else if (text.startsWith('{') || text.startsWith('[')) got = fromInline(label, arg);
    else got = fromPairs(label, arg);
    for (const [k, v] of Object.entries(got.vars)) {
      if (k === '__proto__') continue;
      vars[k] = v;
      origins[k] = text.startsWith('@') ? text.slice(1) : label;
    }
    diagnostics.push(...got.diagnostics);
  });
  return { vars, origins, diagnostics };
}
