// Ansible host ranges: web[01:20], db-[a:f], node[1:10:2]; several ranges in one name multiply out.
import { diag, type Diagnostic, type Span } from '../errors.js';

/** A range that would make more hosts than this is surely a typo (web[1:100000]). */
export const MAX_RANGE_HOSTS = 10_000;

const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
const HINT = 'write a range as [start:end] or [start:end:stride], e.g. web[01:20], db-[a:f], node[1:9:2]';

export const hasHostRange = (name: string): boolean => name.includes('[');

type Piece = string | string[];

/** One `[..]` body into its values, or an error message. */
function rangeValues(body: string): string[] | string {
  if (body.trim() === '') return 'the range is empty';
  const parts = body.split(':');
  if (parts.length < 2 || parts.length > 3) return `"[${body}]" is not begin:end or begin:end:stride`;
  const beg = parts[0] === '' ? '0' : parts[0]!;
  const end = parts[1]!;
  const step = parts[2] ?? '1';
  if (end === '') return 'the range has no end value';
  if (!/^\d+$/.test(step) || Number(step) === 0) return `stride "${step}" must be a positive whole number`;
  const stride = Number(step);
  const isNum = (s: string) => /^\d+$/.test(s);
  const isLetter = (s: string) => /^[a-zA-Z]$/.test(s);
  if (isNum(beg) && isNum(end)) {
    const padded = beg.length > 1 && beg.startsWith('0');
    if (padded && beg.length !== end.length) return `zero-padded bounds "${beg}" and "${end}" must have the same width`;
    const b = Number(beg);
    const e = Number(end);
    if (b > e) return [];
    if ((e - b) / stride + 1 > MAX_RANGE_HOSTS) return `it would make more than ${MAX_RANGE_HOSTS} hosts`;
    const out: string[] = [];
    for (let i = b; i <= e; i += stride) out.push(padded ? String(i).padStart(beg.length, '0') : String(i));
    return out;
  }
  if (isLetter(beg) && isLetter(end)) {
    const b = LETTERS.indexOf(beg);
    const e = LETTERS.indexOf(end);
    if (b > e) return [];
    const out: string[] = [];
    for (let i = b; i <= e; i += stride) out.push(LETTERS[i]!);
    return out;
  }
  if ((isNum(beg) && isLetter(end)) || (isLetter(beg) && isNum(end)))
    return `"${beg}" and "${end}" mix a letter and a number`;
  return `bounds "${beg}" and "${end}" must both be numbers or both single letters`;
}

/** Splits a name into literal text and range values, or returns an error message. */
function splitPieces(name: string): Piece[] | string {
  const pieces: Piece[] = [];
  let rest = name;
  for (;;) {
    const open = rest.indexOf('[');
    const stray = rest.indexOf(']');
    if (open < 0) {
      if (stray >= 0) return 'has a "]" without a matching "["';
      if (rest) pieces.push(rest);
      return pieces;
    }
    if (stray >= 0 && stray < open) return 'has a "]" without a matching "["';
    const close = rest.indexOf(']', open);
    if (close < 0) return 'has a "[" that is never closed';
    if (open > 0) pieces.push(rest.slice(0, open));
    const values = rangeValues(rest.slice(open + 1, close));
    if (typeof values === 'string') return values;
    pieces.push(values);
    rest = rest.slice(close + 1);
  }
}

/**
 * Expands every range in a host name, keeping zero padding (web[01:03] -> web01 web02 web03).
 * A name without brackets comes back as itself.
 */
export function expandHostRange(name: string, at?: Span): { hosts: string[]; diagnostics: Diagnostic[] } {
  const pieces = splitPieces(name);
  if (typeof pieces === 'string') {
    return { hosts: [], diagnostics: [diag('E_INVENTORY_RANGE', `bad host range in "${name}": ${pieces}`, at, HINT)] };
  }
  const total = pieces.reduce((n, p) => n * (typeof p === 'string' ? 1 : p.length), 1);
  if (total > MAX_RANGE_HOSTS) {
    return {
      hosts: [],
      diagnostics: [
        diag(
          'E_INVENTORY_RANGE',
          `bad host range in "${name}": it would make ${total} hosts (more than ${MAX_RANGE_HOSTS})`,
          at,
          HINT,
        ),
      ],
    };
  }
  if (total === 0) {
    // Ansible makes no hosts of a descending range, silently; a warning says why the hosts are missing.
    const empty: Diagnostic = {
      severity: 'warning',
      code: 'E_INVENTORY_RANGE_EMPTY',
      message: `host range "${name}" runs backwards and makes no hosts`,
      hint: 'write the smaller bound first, e.g. web[1:3]',
    };
    return { hosts: [], diagnostics: [at ? { ...empty, at } : empty] };
  }
  let hosts = [''];
  for (const p of pieces) {
    const values = typeof p === 'string' ? [p] : p;
    hosts = hosts.flatMap((h) => values.map((v) => h + v));
  }
  return { hosts, diagnostics: [] };
}
