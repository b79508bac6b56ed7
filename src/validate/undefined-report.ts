// Undefined variables found at load as diagnostics: one per variable, naming the hosts that lack it and where it is used.
import { diag, formatSpan, type Diagnostic, type Span } from '../errors.js';
import { didYouMean } from '../suggest.js';
import { gatherFactsHint, undefinedHint } from '../template/errors.js';

/** One host lacking one variable at one use. */
export interface Miss {
  /** The name as used (`netmask`, or `groups.controller` when the key is missing from a known value). */
  variable: string;
  host: string;
  at: Span;
  /** Vars whose templates led to the use (`endpoint` holds "api.{{ cluster_fqdn }}"). */
  via: string[];
  /** Facts are gathered for the host by then. */
  facts: boolean;
  /** Names that are defined there, for a did-you-mean (asked once per variable). */
  candidates: () => Iterable<string>;
}

const SHOWN_HOSTS = 5;
const SHOWN_PLACES = 3;

const key = (s: Span) => `${s.file}:${s.line}:${s.col}`;

/** `core1`, `2 hosts: a, b`, `25 hosts: a, b, c, d, e and 20 more`. */
export function hostList(hosts: readonly string[]): string {
  if (hosts.length === 1) return `host ${hosts[0]}`;
  const shown = hosts.slice(0, SHOWN_HOSTS).join(', ');
  const more = hosts.length > SHOWN_HOSTS ? ` and ${hosts.length - SHOWN_HOSTS} more` : '';
  return `${hosts.length} hosts: ${shown}${more}`;
}

/** Magic vars Ansible sets and stackplay does not (README, "Validate before touch"). */
const ANSIBLE_ONLY = new Set([
  'play_hosts',
  'ansible_play_hosts',
  'ansible_play_hosts_all',
  'ansible_play_batch',
  'ansible_play_name',
  'ansible_version',
  'ansible_run_tags',
  'ansible_skip_tags',
  'inventory_dir',
  'inventory_file',
  'role_path',
  'role_name',
]);

function hintFor(m: Miss, anyFacts: boolean): string {
  const root = m.variable.split(/[.[]/)[0]!;
  if (ANSIBLE_ONLY.has(root))
    return `Ansible sets ${root}; stackplay does not: name the hosts with groups['GROUP'] or set the var yourself`;
  if (root.startsWith('ansible_') && !anyFacts && !m.variable.includes('.')) return gatherFactsHint;
  const last = m.variable.includes('.') ? m.variable.slice(m.variable.lastIndexOf('.') + 1) : m.variable;
  return didYouMean(last, m.candidates()) ?? undefinedHint;
}

/** The diagnostics, in the order the variables are first used; hosts in inventory order. */
export function undefinedVarDiagnostics(
  misses: readonly Miss[],
  hostOrder: ReadonlyMap<string, unknown>,
): Diagnostic[] {
  const byVar = new Map<string, Miss[]>();
  for (const m of misses) (byVar.get(m.variable) ?? byVar.set(m.variable, []).get(m.variable)!).push(m);
  const rank = new Map([...hostOrder.keys()].map((h, i) => [h, i] as const));
  const out: Diagnostic[] = [];
  for (const [variable, list] of byVar) {
    const first = list[0]!;
    const hosts = [...new Set(list.map((m) => m.host))].sort((a, b) => (rank.get(a) ?? 0) - (rank.get(b) ?? 0));
    const places = [...new Map(list.map((m) => [key(m.at), m.at] as const)).values()];
    const others = places.slice(1);
    const also = others.length
      ? `; also used at ${others.slice(0, SHOWN_PLACES).map(formatSpan).join(', ')}${others.length > SHOWN_PLACES ? ` and ${others.length - SHOWN_PLACES} more` : ''}`
      : '';
    const via = first.via.length ? ` (read through ${first.via.map((v) => `"${v}"`).join(' -> ')})` : '';
    out.push(
      diag(
        'E_UNDEFINED_VAR',
        `undefined variable "${variable}"${via} for ${hostList(hosts)}${also}`,
        first.at,
        hintFor(
          first,
          list.some((m) => m.facts),
        ),
      ),
    );
  }
  return out;
}
