// Where a template string was written: the YAML scalar holding it, and the line:col of a variable inside it.
import { isScalar, Scalar, visit } from 'yaml';
import type { Span } from '../errors.js';
import { loadYaml } from '../load/source.js';

interface Written {
  line: number;
  col: number;
  /** The scalar's text is on one source line (so a column inside it maps one to one, after a quote). */
  oneLine: boolean;
  quoted: boolean;
  /** Block scalars (`|`, `>`): the first content line and its indent. */
  block?: { line: number; indent: number };
}

const indexes = new Map<string, Map<string, Written[]>>();

/** Every string scalar of a YAML file by its value (read once per file). */
function indexOf(file: string): Map<string, Written[]> {
  let idx = indexes.get(file);
  if (idx) return idx;
  idx = new Map();
  indexes.set(file, idx);
  const { src } = loadYaml(file);
  if (!src) return idx;
  const map = idx;
  visit(src.doc, {
    Scalar(_key, node) {
      if (!isScalar(node) || typeof node.value !== 'string' || !node.range) return;
      const [start, end] = node.range;
      const pos = src.lines.linePos(start);
      const raw = src.text.slice(start, end);
      const block = node.type === Scalar.BLOCK_LITERAL || node.type === Scalar.BLOCK_FOLDED;
      const w: Written = {
        line: pos.line,
        col: pos.col,
        oneLine: !raw.includes('\n'),
        quoted: node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE,
      };
      if (block) {
        const nl = src.text.indexOf('\n', start);
        const first = src.text.slice(nl + 1).match(/^ */)?.[0].length ?? 0;
        w.block = { line: src.lines.linePos(nl + 1).line, indent: first };
      }
      const list = map.get(node.value) ?? [];
      list.push(w);
      map.set(node.value, list);
    },
  });
  return idx;
}

/**
 * The place of a use at (line, col) (0-based, in the text as written) of the string `text`, written
 * in `near.file` at or before `near` (a task's own keys follow its start; a block's `when` precedes it).
 * Falls back to `near` when the string cannot be found.
 */
export function placeIn(text: string, near: Span, use: { line: number; col: number }): Span {
  const found = indexOf(near.file).get(text);
  if (!found?.length) return near;
  const after = found.filter((w) => w.line >= near.line && w.line <= (near.endLine ?? near.line));
  const before = found.filter((w) => w.line < near.line);
  const w = after[0] ?? before.at(-1) ?? found[0]!;
  if (w.block) return { file: near.file, line: w.block.line + use.line, col: w.block.indent + use.col + 1 };
  if (w.oneLine && use.line === 0) return { file: near.file, line: w.line, col: w.col + use.col + (w.quoted ? 1 : 0) };
  return { file: near.file, line: w.line, col: w.col };
}

/** Forgets what was read (tests that rewrite a file). */
export const forgetPlaces = () => indexes.clear();
