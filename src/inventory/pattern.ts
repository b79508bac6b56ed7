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

/** Names Ansible answers with an implicit localhost when no inventory host matches them (C.LOCALHOST). */
export const LOCALHOST_NAMES: readonly string[] = ['localhost', '127.0.0.1', '::1'];

/** Ansible's PATTERN_WITH_SUBSCRIPT: web[0], web[-1], web[1:3], web[2:] (and the old web[1-3]). */
function splitSubscript(term: string): { term: string; sub?: Subscript } {
  if (term.startsWith('~')) return { term };
  const m = /^(.+)\[(?:(-?\d+)|(\d+)[:-](\d*))\]$/.exec(term);
  if (!m) return { term };
  if (m[2] !== undefined) return { term: m[1]!, sub: { start: Number(m[2]) } };
  return { term: m[1]!, sub: { start: Number(m[3]), end: m[4] ? Number(m[4]) : -1 } };
}

/** Ansible's _apply_subscript; undefined where Python raises IndexError (no such host). An end of 0 means one host, as there. */
function applySubscript(hosts: string[], sub?: Subscript): string[] | undefined {
  if (!sub || hosts.length === 0) return hosts;
  if (sub.end) return hosts.slice(sub.start, (sub.end === -1 ? hosts.length - 1 : sub.end) + 1);
  const i = sub.start < 0 ? hosts.length + sub.start : sub.start;
  return i >= 0 && i < hosts.length ? [hosts[i]!] : undefined;
}

/** A term's matcher: ~regex (matched from the start), a glob, or the name itself. */
function matcherOf(term: string, raw: string, diagnostics: Diagnostic[]): ((name: string) => boolean) | undefined {
  if (!term.startsWith('~')) return /[*?[]/.test(term) ? globMatcher(term) : (name) => name === term;
  try {
    const re = new RegExp(`^(?:${term.slice(1)})`);
    return (name) => re.test(name);
  } catch (e) {
    diagnostics.push({
      severity: 'error',
      code: 'E_PATTERN',
      message: `bad regular expression in host pattern "${raw}": ${(e as Error).message}`,
      hint: 'a ~ pattern is a regular expression matched from the start of host and group names',
    });
    return undefined;
  }
}

/**
 * The hosts one term names, as Ansible's _enumerate_matches: every matching group's hosts (in group order),
 * then matching hosts when no group matched or the term is a regex, a glob or has a dot; then the subscript.
 */
function matchTerm(inv: Inventory, raw: string, diagnostics: Diagnostic[]): string[] {
  const { term, sub } = splitSubscript(raw);
  const test = matcherOf(term, raw, diagnostics);
  if (!test) return [];
  const found: string[] = [];
  const groups = [...inv.groups.keys()].filter(test);
  for (const g of groups) found.push(...groupHosts(inv, g));
  if (!groups.length || /^~|[.?*[]/.test(term))
    for (const [name, h] of inv.hosts) if (!h.implicit && test(name)) found.push(name);
  // As Ansible: localhost, 127.0.0.1 or ::1 matching nothing is the implicit localhost (implicit.ts adds it).
  if (!found.length && LOCALHOST_NAMES.includes(term)) found.push(term);
  if (!found.length && term !== 'all') {
    diagnostics.push({
      severity: 'warning',
      code: 'E_PATTERN_NO_MATCH',
      message: `host pattern "${raw}" matches no host or group`,
      hint:
        didYouMean(term, [...inv.groups.keys(), ...inv.hosts.keys()]) ??
        'check the name against `stackplay inventory --graph`',
    });
  }
  const picked = applySubscript(found, sub);
  if (picked) return picked;
  diagnostics.push({
    severity: 'warning',
    code: 'E_PATTERN_NO_MATCH',
    message: `host pattern "${raw}": no host at that position (the pattern has ${new Set(found).size})`,
    hint: 'subscripts count from 0: web[0] is the first host of web, web[-1] the last',
  });
  return [];
}

/**
 * The hosts a pattern selects, in Ansible's order: the union terms in the order written (each adds the
 * hosts not already chosen), then intersections (&), then exclusions (!), whatever their place in the
 * pattern. A term that is exactly a host name selects that host, even where a group has the same name.
 */
export function selectHosts(inv: Inventory, pattern: string): { hosts: string[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const union: string[] = [];
  const intersect: string[] = [];
  const exclude: string[] = [];
  for (const term of splitPattern(pattern)) {
    if (term.startsWith('!')) exclude.push(term);
    else if (term.startsWith('&')) intersect.push(term);
    else union.push(term);
  }
  if (!union.length) union.push('all');
  let chosen: string[] = [];
  for (const t of [...union, ...intersect, ...exclude]) {
    if (inv.hosts.has(t)) {
      chosen.push(t);
      continue;
    }
    const that = matchTerm(inv, t.replace(/^[!&]/, ''), diagnostics);
    if (t.startsWith('!')) {
      const drop = new Set(that);
      chosen = chosen.filter((h) => !drop.has(h));
    } else if (t.startsWith('&')) {
      const keep = new Set(that);
      chosen = chosen.filter((h) => keep.has(h));
    } else {
      const have = new Set(chosen);
      for (const h of that) if (!have.has(h)) chosen.push(h);
    }
  }
  return { hosts: [...new Set(chosen)], diagnostics };
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
