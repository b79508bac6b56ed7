// Ansible host patterns (plays' hosts: and --limit): names, globs, ~regex, unions, &intersections, !exclusions.
import { diag, type Diagnostic, type Span } from '../errors.js';
import { didYouMean } from '../suggest.js';
import { globMatcher } from './glob.js';
import { groupHosts } from './resolve.js';
import type { Inventory } from './types.js';

const isIpv6 = (s: string): boolean => /^[0-9a-fA-F:.]+$/.test(s) && (s.match(/:/g)?.length ?? 0) >= 2;

/** `a,b` splits on commas; otherwise on colons outside brackets (web[0:2] stays whole), as Ansible does. */
export function splitPattern(pattern: string): string[] {
  const p = pattern.trim();
  if (p.includes(','))
    return p
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  if (isIpv6(p)) return [p];
  const out: string[] = [];
  let cur = '';
  let depth = 0;
  for (const c of p) {
    if (c === '[') depth++;
    if (c === ']') depth = Math.max(0, depth - 1);
    if (c === ':' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out.map((s) => s.trim()).filter(Boolean);
}

type Subscript = { start: number; end?: number };

function splitSubscript(term: string): { term: string; sub?: Subscript } {
  if (term.startsWith('~')) return { term };
  const m = /^(.+)\[(?:(-?\d+)|(\d+):(\d*))\]$/.exec(term);
  if (!m) return { term };
  if (m[2] !== undefined) return { term: m[1]!, sub: { start: Number(m[2]) } };
  return { term: m[1]!, sub: m[4] ? { start: Number(m[3]), end: Number(m[4]) } : { start: Number(m[3]), end: -1 } };
}

function applySubscript(hosts: string[], sub?: Subscript): string[] {
  if (!sub) return hosts;
  if (sub.end === undefined) {
    const h = hosts.at(sub.start);
    return h === undefined ? [] : [h];
  }
  const end = sub.end === -1 ? hosts.length - 1 : sub.end;
  return hosts.slice(sub.start, end + 1);
}

/** The hosts one term names, in inventory order. */
function matchTerm(inv: Inventory, raw: string, diagnostics: Diagnostic[]): string[] {
  const { term, sub } = splitSubscript(raw);
  if (term === 'all' || term === '*') return applySubscript(groupHosts(inv, 'all'), sub);
  let test: ((name: string) => boolean) | undefined;
  if (term.startsWith('~')) {
    try {
      const re = new RegExp(`^(?:${term.slice(1)})`);
      test = (name) => re.test(name);
    } catch (e) {
      diagnostics.push({
        severity: 'error',
        code: 'E_PATTERN',
        message: `bad regular expression in host pattern "${raw}": ${(e as Error).message}`,
        hint: 'a ~ pattern is a regular expression matched from the start of host and group names',
      });
      return [];
    }
  } else if (/[*?[]/.test(term)) {
    test = globMatcher(term);
  }
  const found = new Set<string>();
  if (test) {
    for (const g of inv.groups.keys()) if (test(g)) for (const h of groupHosts(inv, g)) found.add(h);
    for (const h of inv.hosts.keys()) if (test(h)) found.add(h);
  } else if (inv.groups.has(term)) {
    for (const h of groupHosts(inv, term)) found.add(h);
  } else if (inv.hosts.has(term)) {
    found.add(term);
  } else {
    diagnostics.push({
      severity: 'warning',
      code: 'E_PATTERN_NO_MATCH',
      message: `host pattern "${raw}" matches no host or group`,
      hint:
        didYouMean(term, [...inv.groups.keys(), ...inv.hosts.keys()]) ??
        'check the name against `stackplay inventory --graph`',
    });
  }
  return applySubscript(
    [...inv.hosts.keys()].filter((h) => found.has(h)),
    sub,
  );
}

/**
 * The hosts a pattern selects, in inventory order without duplicates. Unions apply first, then
 * intersections (&), then exclusions (!), whatever their order in the pattern (as in Ansible).
 */
export function selectHosts(inv: Inventory, pattern: string): { hosts: string[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const union: string[] = [];
  const intersect: string[] = [];
  const exclude: string[] = [];
  for (const term of splitPattern(pattern)) {
    if (term.startsWith('!')) exclude.push(term.slice(1));
    else if (term.startsWith('&')) intersect.push(term.slice(1));
    else union.push(term);
  }
  if (!union.length) union.push('all');
  const chosen = new Set<string>();
  for (const t of union) for (const h of matchTerm(inv, t, diagnostics)) chosen.add(h);
  for (const t of intersect) {
    const keep = new Set(matchTerm(inv, t, diagnostics));
    for (const h of [...chosen]) if (!keep.has(h)) chosen.delete(h);
  }
  for (const t of exclude) for (const h of matchTerm(inv, t, diagnostics)) chosen.delete(h);
  return { hosts: [...inv.hosts.keys()].filter((h) => chosen.has(h)), diagnostics };
}

/**
 * Checks `--limit` before anything runs: a bad term is an error, and a limit that selects no host
 * at all is an error naming it (Ansible: "no hosts matched"), both at `--limit` as their place.
 */
export function checkLimit(inv: Inventory, limit: string): Diagnostic[] {
  const at: Span = { file: '--limit', line: 1, col: 1, endLine: 1, endCol: limit.length + 1 };
  const { hosts, diagnostics } = selectHosts(inv, limit);
  const errors = diagnostics.filter((d) => d.severity === 'error').map((d) => ({ ...d, at }));
  if (errors.length) return errors;
  if (hosts.length > 0) return [];
  const near = diagnostics.find((d) => d.code === 'E_PATTERN_NO_MATCH')?.hint;
  return [
    diag(
      'E_LIMIT_NO_MATCH',
      `--limit "${limit}": no hosts matched`,
      at,
      near ?? 'check the pattern against `stackplay inventory --graph`',
    ),
  ];
}

/** A play's hosts: pattern with a bad term (a bad ~regex) is an error at the play. */
export function checkPlayPattern(inv: Inventory, pattern: string, at: Span): Diagnostic[] {
  return selectHosts(inv, pattern)
    .diagnostics.filter((d) => d.severity === 'error')
    .map((d) => ({ ...d, at }));
}
