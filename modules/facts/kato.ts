// Read-only probes of a Stackato node: kato version and kato info (roles, mbus IP, endpoint).
import { defineFact, readOnly, kato, semver } from '../../src/sdk.js';

export interface KatoInfo {
  /** The node's own address as kato reports it. */
  ip: string;
  hostname: string;
  /** Address of the core (message bus); 127.0.0.1 or null when the node is not in a cluster. */
  mbusip: string | null;
  endpoint: string | null;
  assigned: string[];
  available: string[];
}

const first = (o: Record<string, unknown>, ...keys: string[]): unknown =>
  keys.map((k) => o[k]).find((v) => v !== undefined);
const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.map(String) : v && typeof v === 'object' ? Object.keys(v) : [];

/** The JSON a kato command printed, or an error that quotes what it printed instead. */
function jsonOf(out: { code: number | null; stdout: string; stderr: string }, command: string): unknown {
  try {
    return JSON.parse(out.stdout);
  } catch {
    throw new Error(
      `\`${command}\` did not print JSON (exit ${out.code}): ${(out.stdout || out.stderr).slice(0, 200)}`,
    );
  }
}

/** `kato version` prints the release, e.g. "3.6.2" or "kato 2.10.6"; the first semver in it wins. */
export const katoVersion = defineFact({
  name: 'kato_version',
  shared: true,
  command: () => readOnly(kato`kato version`),
  parse: (out) => {
    const m = /(\d+\.\d+(?:\.\d+)?)/.exec(out.stdout);
    if (!m)
      throw new Error(
        `cannot read a version from \`kato version\`: ${JSON.stringify(out.stdout.slice(0, 200) || out.stderr.slice(0, 200))}`,
      );
    return semver.coerce(m[1])!.version;
  },
});

export const katoInfo = defineFact({
  name: 'kato_info',
  shared: true,
  command: () => readOnly(kato`kato info --json`),
  parse: (out): KatoInfo => {
    const data = jsonOf(out, 'kato info --json') as Record<string, unknown>;
    const roles = (first(data, 'roles') ?? {}) as Record<string, unknown>;
    const mbus = first(data, 'mbusip', 'mbus_ip', 'core_ip');
    return {
      ip: String(first(data, 'ip', 'node_ip', 'node') ?? ''),
      hostname: String(first(data, 'hostname', 'name') ?? ''),
      mbusip: typeof mbus === 'string' && mbus !== '' ? mbus : null,
      endpoint: typeof data.endpoint === 'string' ? data.endpoint : null,
      assigned: strings(first(data, 'assigned', 'assigned_roles') ?? roles.assigned),
      available: strings(first(data, 'available', 'available_roles') ?? roles.available),
    };
  },
});

/** Which procedure a kato version needs; 4.x has no kato and is refused. */
export type KatoSeries = '2.x' | '3.x';
export function katoSeries(version: string): KatoSeries | { refuse: string } {
  if (semver.gte(version, '4.0.0'))
    return {
      refuse: `kato ${version}: Stackato 4.x has no kato (Kubernetes-based); stackplay manages 2.x and 3.x clusters only`,
    };
  if (semver.lt(version, '2.8.0'))
    return { refuse: `kato ${version} predates the kato node/role commands (2.8); upgrade the node first` };
  return semver.lt(version, '3.0.0') ? '2.x' : '3.x';
}

/** In a cluster when the mbus IP is set and is not loopback (a micro cloud reports 127.0.0.1). */
export const inCluster = (i: KatoInfo): boolean => i.mbusip !== null && !i.mbusip.startsWith('127.');

/** A node as `kato node list --json` lists it: its roles, and its names when kato gives them. */
export interface KatoNode {
  roles: string[];
  names: string[];
}

/** `kato node list --json`: node IP -> its roles and names (a list of nodes, or a map keyed by IP). */
export const katoNodeEntries = defineFact({
  name: 'kato_node_entries',
  command: () => readOnly(kato`kato node list --json`),
  parse: (out): Record<string, KatoNode> => {
    const data = jsonOf(out, 'kato node list --json');
    const nodes: Record<string, KatoNode> = {};
    const entry = (v: unknown): KatoNode => {
      const o = (v && typeof v === 'object' && !Array.isArray(v) ? v : {}) as Record<string, unknown>;
      const names = [o.hostname, o.name].filter((n): n is string => typeof n === 'string' && n !== '');
      return { roles: strings(o.roles ?? v), names: [...new Set(names)] };
    };
    if (Array.isArray(data))
      for (const n of data as Record<string, unknown>[]) nodes[String(n.ip ?? n.node)] = entry(n);
    else if (data && typeof data === 'object') for (const [ip, v] of Object.entries(data)) nodes[ip] = entry(v);
    return nodes;
  },
});

/** `kato node list --json`: node IP -> its roles. */
export const katoNodes = defineFact({
  name: 'kato_nodes',
  shared: true,
  command: () => readOnly(kato`kato node list --json`),
  parse: (out): Record<string, string[]> =>
    Object.fromEntries(Object.entries(katoNodeEntries.parse(out)).map(([ip, n]) => [ip, n.roles])),
});

/** Role -> running | stopped | fatal ..., per node IP, as the core reports them. */
export type ClusterStatus = Record<string, Record<string, string>>;

/**
 * `kato status --json` on the core: each node's configured roles and their status (running, stopped,
 * starting, fatal: reference/kato.md 2.12). Accepts `{nodes: {IP: {roles: {ROLE: {status}}}}}` or the
 * same without the `nodes` wrapper, and a role given as a plain status string.
 */
function statusOf(out: { code: number | null; stdout: string; stderr: string }): ClusterStatus {
  const data = jsonOf(out, 'kato status --json') as Record<string, unknown>;
  const nodes = (data.nodes && typeof data.nodes === 'object' ? data.nodes : data) as Record<string, unknown>;
  const status: ClusterStatus = {};
  for (const [ip, n] of Object.entries(nodes)) {
    const roles = ((n as Record<string, unknown>)?.roles ?? {}) as Record<string, unknown>;
    status[ip] = Object.fromEntries(
      Object.entries(roles).map(([r, v]) => [
        r,
        String(typeof v === 'string' ? v : ((v as Record<string, unknown>)?.status ?? 'unknown')).toLowerCase(),
      ]),
    );
  }
  return status;
}

/**
 * `kato status --json` once no role shows starting any more, or after `settle` seconds: roles start a
 * while after setup or attach (reference/kato.md 2.12), and a check of what runs must not fail a role
 * that is still on its way up. Stopped and fatal roles are not waited for.
 */
export const katoStatusSettled = defineFact({
  name: 'kato_status_settled',
  shared: true,
  // It waits for roles to settle: asked in its own turn only, never ahead with another task's round trip.
  ahead: false,
  command: (settle: number) =>
    readOnly(
      kato`i=0; while [ "$i" -lt ${String(settle)} ] && kato status --json | grep -Eiq '"starting"'; do sleep 1; i=$((i+1)); done; kato status --json`,
    ),
  parse: statusOf,
});

/**
 * `kato process ready all` without --block: READY once every process of the node is up (reference/kato.md
 * section 2); otherwise what kato said. Read from the output, since kato before 3.4.1 always exits 0.
 */
export const katoReady = defineFact({
  name: 'kato_ready',
  shared: true,
  command: () => readOnly(kato`kato process ready all`),
  parse: (out): { ready: boolean; said: string } => ({
    ready: out.stdout.trim() === 'READY',
    said: (out.stderr.trim() || out.stdout.trim()).slice(0, 500),
  }),
});
