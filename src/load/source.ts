// Reading user files: YAML with positions, and mapping nodes and key paths back to file:line:col.
import {
  type Document,
  isAlias,
  isMap,
  isSeq,
  isPair,
  isScalar,
  LineCounter,
  parseDocument,
  type Node,
  type Pair,
} from 'yaml';
import { diag, type Diagnostic, type Span } from '../errors.js';
import { decodeInput, InputFileError, readInputFile } from './input-file.js';
import { MAX_DEPTH, nestingTooDeep, valueTooDeep } from './depth.js';
import { ANSIBLE_YAML } from './yaml-schema.js';

export interface YamlSource {
  file: string;
  text: string;
  doc: Document.Parsed;
  lines: LineCounter;
}

/** Reads a file as text, or returns a diagnostic (missing, unreadable, not a regular file, binary, bad UTF-8). */
export function readText(file: string): { text: string } | { error: Diagnostic } {
  let buf: Buffer;
  try {
    buf = readInputFile(file);
    if (buf.includes(0)) {
      return {
        error: diag(
          'E_BINARY',
          `${file} is not a text file`,
          { file, line: 1, col: 1 },
          'expected a YAML or INI text file',
        ),
      };
    }
    return { text: decodeInput(file, buf) };
  } catch (e) {
    if (!(e instanceof InputFileError)) throw e;
    return {
      error: e.at
        ? diag('E_ENCODING', e.message, { file, ...e.at }, 'save the file as UTF-8')
        : diag('E_FILE', e.message, { file, line: 1, col: 1 }, 'check the path given on the command line'),
    };
  }
}

export function spanAt(file: string, lines: LineCounter, offset: number, endOffset?: number): Span {
  const start = lines.linePos(offset);
  const span: Span = { file, line: start.line, col: start.col };
  if (endOffset !== undefined) {
    const end = lines.linePos(endOffset);
    span.endLine = end.line;
    span.endCol = end.col;
  }
  return span;
}

/** The span of a YAML node (its value range). */
export function spanOf(src: YamlSource, node: Node | null | undefined): Span {
  const range = node?.range;
  if (!range) return { file: src.file, line: 1, col: 1 };
  return spanAt(src.file, src.lines, range[0], range[1]);
}

/** Parses YAML text as Ansible does (YAML 1.1, PyYAML's types) keeping positions. Syntax errors, duplicate keys and tabs become diagnostics. */
export function parseYaml(file: string, text: string): { src: YamlSource; diagnostics: Diagnostic[] } {
  const lines = new LineCounter();
  const tooDeep = nestingTooDeep(text);
  if (tooDeep !== undefined) {
    lines.addNewLine(0);
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lines.addNewLine(i + 1);
    return {
      src: { file, text, doc: parseDocument(''), lines },
      diagnostics: [
        diag(
          'E_YAML_DEPTH',
          `${file} nests deeper than ${MAX_DEPTH} levels`,
          spanAt(file, lines, tooDeep),
          'flatten the data: no inventory, playbook or vars file needs this depth',
        ),
      ],
    };
  }
  const doc = parseDocument(text, {
    ...ANSIBLE_YAML,
    lineCounter: lines,
    uniqueKeys: true,
    prettyErrors: false,
    keepSourceTokens: false,
  });
  const src: YamlSource = { file, text, doc, lines };
  const diagnostics: Diagnostic[] = [];
  for (const e of doc.errors) {
    const at = spanAt(file, lines, e.pos[0], e.pos[1]);
    const msg = e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    if (e.code === 'DUPLICATE_KEY') {
      diagnostics.push(
        diag(
          'E_YAML_DUPLICATE_KEY',
          `duplicate key in ${file}`,
          at,
          'each key may appear once per mapping; remove or merge the repeated one',
        ),
      );
    } else if (e.code === 'TAB_AS_INDENT' || /tab/i.test(msg)) {
      diagnostics.push(
        diag('E_YAML_TAB', `tab character used for indentation in ${file}`, at, 'YAML indentation must use spaces'),
      );
    } else {
      diagnostics.push(
        diag(
          'E_YAML_SYNTAX',
          `YAML syntax error: ${msg}`,
          at,
          'check indentation, colons and quotes around this place',
        ),
      );
    }
  }
  for (const w of doc.warnings) {
    if (w.code !== 'TAG_RESOLVE_FAILED') continue;
    const tag = text.slice(w.pos[0], w.pos[1]);
    diagnostics.push(
      diag(
        'E_YAML_TAG',
        `${file}: the YAML tag ${tag} is not supported`,
        spanAt(file, lines, w.pos[0], w.pos[1]),
        tag === '!unsafe'
          ? 'stackplay has no !unsafe values yet: keep {{ }} as text with {% raw %}...{% endraw %}'
          : tag === '!vault'
            ? 'stackplay cannot decrypt Ansible Vault values: pass the secret with -e @file or an inventory var'
            : 'remove the tag; the plain YAML types (strings, numbers, booleans, lists, mappings) need none',
      ),
    );
  }
  // Aliases are resolved only when a value is read: an unknown anchor or an alias bomb would throw there.
  if (diagnostics.length === 0) {
    try {
      const bad = valueTooDeep(doc.toJS({ maxAliasCount: 1000 }));
      if (bad)
        diagnostics.push(
          diag(
            bad === 'cycle' ? 'E_YAML_ALIAS' : 'E_YAML_DEPTH',
            bad === 'cycle'
              ? `YAML alias error in ${file}: an alias refers to the node that holds it`
              : `${file} nests deeper than ${MAX_DEPTH} levels (through aliases)`,
            spanAt(file, lines, 0),
            bad === 'cycle'
              ? 'an *alias must not point at its own &anchor or one around it'
              : 'flatten the data: no inventory, playbook or vars file needs this depth',
          ),
        );
    } catch (e) {
      diagnostics.push(
        diag(
          'E_YAML_ALIAS',
          `YAML alias error in ${file}: ${(e as Error).message.split('\n')[0]}`,
          spanAt(file, lines, 0),
          'define each &anchor before its *alias, and do not nest aliases to blow up the document',
        ),
      );
    }
  }
  if (diagnostics.length === 0 && doc.contents)
    doc.contents = plainNode(doc, doc.contents as Node) as typeof doc.contents;
  return { src, diagnostics };
}

const isMergeKey = (key: unknown): boolean => isScalar(key) && typeof key.value === 'symbol';

/**
 * The node with every alias replaced by a copy of what it names and every `<<` merge key spread into
 * its mapping as PyYAML does (an own key wins, then the earlier of the merged maps), so readers that
 * walk nodes see what Ansible sees. A copy keeps the range of its anchor, where diagnostics then point.
 * Alias cycles and bombs are refused before this runs.
 */
function plainNode(doc: Document.Parsed, node: Node): Node {
  if (isAlias(node)) {
    const target = node.resolve(doc);
    return target ? plainNode(doc, target.clone() as Node) : node;
  }
  if (isSeq(node)) {
    node.items = node.items.map((item) => (item ? plainNode(doc, item as Node) : item));
  } else if (isMap(node)) {
    const merged: Pair[] = [];
    const own: Pair[] = [];
    for (const pair of node.items) {
      if (isAlias(pair.key)) pair.key = plainNode(doc, pair.key);
      const value = pair.value ? plainNode(doc, pair.value as Node) : pair.value;
      if (!isMergeKey(pair.key)) {
        pair.value = value;
        own.push(pair as Pair);
        continue;
      }
      const sources = isSeq(value) ? value.items : [value];
      for (const source of sources.reverse()) if (isMap(source)) merged.push(...(source.items as Pair[]));
    }
    // A later pair wins the value; the key keeps its first place, as in the dict PyYAML builds.
    const byKey = new Map<unknown, Pair>();
    for (const pair of [...merged, ...own]) {
      const key = isScalar(pair.key) ? String(pair.key.value) : pair.key;
      const first = byKey.get(key);
      if (first) first.value = pair.value;
      else byKey.set(key, pair.clone());
    }
    node.items = [...byKey.values()];
  }
  return node;
}

/** Reads and parses a YAML file. */
export function loadYaml(file: string): { src?: YamlSource; diagnostics: Diagnostic[] } {
  const read = readText(file);
  if ('error' in read) return { diagnostics: [read.error] };
  return parseYaml(file, read.text);
}

/**
 * Finds the node at a key path (as zod reports it) under `root`, falling back to the deepest
 * node found, so a diagnostic always points somewhere useful. With `key: true`, points at the
 * key of the last path element rather than its value (for "unknown key" errors).
 */
export function nodeAtPath(
  root: Node | null | undefined,
  path: readonly PropertyKey[],
  opts: { key?: boolean } = {},
): Node | null | undefined {
  let node = root;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) return node;
      if (last && opts.key) return pair.key as Node;
      node = pair.value as Node | null;
      if (node === null) return pair.key as Node;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg] as Node | undefined;
      if (!item) return node;
      node = item;
    } else {
      return node;
    }
  }
  return node;
}
