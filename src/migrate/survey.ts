// What the survey found: which nodes follow the old core, which are somewhere else, which could not be read.
import type { HostState } from '../engine/types.js';
import { REGISTERED } from './plays.js';

export interface SurveyedNode {
  /** The node's own address, as kato on the node reports it. */
  ip: string;
  mbusip: string | null;
  roles: string[];
}

export interface Survey {
  /** Attached to the old core, or already following the new one: to migrate (or verify). */
  follow: Map<string, SurveyedNode>;
  /** Not attached to the old core (a micro cloud, or a node of another core): host -> why. */
  unattached: Map<string, string>;
  /** Could not be read (unreachable, kato failed): host -> why. */
  unknown: Map<string, string>;
}

function readOf(state: HostState | undefined): SurveyedNode | string {
  const r = state?.registered[REGISTERED.survey] as Record<string, unknown> | undefined;
  if (!r) return 'not surveyed';
  if (r.failed || r.unreachable) return String(r.msg ?? 'kato info failed');
  return {
    ip: String(r.node_ip ?? ''),
    mbusip: typeof r.mbusip === 'string' ? r.mbusip : null,
    roles: Array.isArray(r.roles) ? r.roles.map(String) : [],
  };
}

/** Sorts the nodes by what kato on each of them says about its core (reference/kato.md 1.4: mbusip). */
export function classify(
  nodes: readonly string[],
  states: ReadonlyMap<string, HostState>,
  oldIp: string,
  newIp: string,
): Survey {
  const s: Survey = { follow: new Map(), unattached: new Map(), unknown: new Map() };
  for (const n of nodes) {
    const read = readOf(states.get(n));
    if (typeof read === 'string') s.unknown.set(n, read);
    else if (read.mbusip === oldIp || read.mbusip === newIp) s.follow.set(n, read);
    else
      s.unattached.set(
        n,
        read.mbusip === null || read.mbusip.startsWith('127.')
          ? `${read.ip}: a micro cloud attached to no core, with roles ${read.roles.join(' ') || '(none)'}`
          : `${read.ip}: attached to the core at ${read.mbusip}`,
      );
  }
  return s;
}

/** Why the host of the core group is not the core at oldIp (nor already moved to newIp), or undefined. */
export function coreProblem(state: HostState | undefined, oldIp: string, newIp: string): string | undefined {
  const read = readOf(state);
  if (typeof read === 'string') return `cannot read kato info on the core: ${read}`;
  const atOld = read.ip === oldIp && read.mbusip === oldIp && read.roles.includes('primary');
  const moved = read.ip === newIp && (read.mbusip === newIp || read.mbusip === oldIp);
  if (atOld || moved) return undefined;
  return `it is not the core at ${oldIp}: kato info reports node ip ${read.ip || '(none)'}, mbus ip ${read.mbusip ?? '(none)'}, roles ${read.roles.join(' ') || '(none)'}`;
}
