// Running a loaded playbook against an inventory: host selection, phased order, the recap.
import type { Playbook, Play } from '../load/playbook-types.js';
import type { Inventory, ResolvedHost } from '../inventory/types.js';
import { InputError } from '../errors.js';
import { resolveHosts } from './hosts.js';
import type { EngineOptions, HostState } from './types.js';
import { selectHosts } from '../inventory/pattern.js';
import { groupHosts } from '../inventory/resolve.js';
import { STACKATO_NODES } from '../inventory/cluster-group.js';
import { PHASES, ROLE_GROUPS, phaseOf } from '../inventory/roles.js';
import { Recap } from './recap.js';
import { Prefetch } from './prefetch.js';
import { groupByPhase } from './batches.js';
import { runPlay, type PlayHosts, type PlayRun } from './play.js';
import { allDownMessage } from './all-down.js';

export interface RunResult {
  recap: Recap;
  exitCode: number;
  stopped?: string;
  interrupted: boolean;
  /** Each host's state at the end (its registered results), for callers that run plays built in code. */
  states: ReadonlyMap<string, HostState>;
  /** Round trips per host the tasks made, beyond connecting (src/transport/round-trips.ts); hosts not counted are absent. */
  roundTrips: Record<string, number>;
}

/** True when a hosts pattern names a Stackato role group (or stackato_nodes): such plays run phase by phase. */
export function targetsRoleGroups(pattern: string): boolean {
  return pattern
    .split(/[:,]/)
    .map((t) => t.replace(/^[!&]/, '').trim())
    .some((t) => ROLE_GROUPS.has(t) || t === STACKATO_NODES);
}

const sorters: Record<string, (names: string[]) => string[]> = {
  inventory: (n) => n,
  reverse_inventory: (n) => [...n].reverse(),
  sorted: (n) => [...n].sort(),
  reverse_sorted: (n) => [...n].sort().reverse(),
};

/** The hosts a play's pattern selects, after --limit, in inventory order. */
function selected(inv: Inventory, play: Play, limit: string | undefined): string[] {
  const names = selectHosts(inv, play.hosts).hosts;
  if (!limit) return names;
  const allowed = new Set(selectHosts(inv, limit).hosts);
  return names.filter((n) => allowed.has(n));
}

/** Every host some play of the run selects (after --limit), once each, first play first. */
export function hostsOfRun(playbook: Playbook, inv: Inventory, limit: string | undefined): string[] {
  const all = new Set<string>();
  for (const play of playbook.plays) for (const n of selected(inv, play, limit)) all.add(n);
  return [...all];
}

/** The hosts of a play, after --limit, in the order the play runs them. */
export function playHosts(
  inv: Inventory,
  play: Play,
  limit: string | undefined,
  states: Map<string, HostState>,
): PlayHosts {
  const names = selected(inv, play, limit);
  const phased = play.order === 'phased' || (play.order === undefined && targetsRoleGroups(play.hosts));
  if (!phased) {
    const ordered = (sorters[play.order ?? 'inventory'] ?? sorters.inventory!)(names);
    return { phases: [{ phase: '', hosts: ordered.map((n) => states.get(n)!) }] };
  }
  const groups = groupByPhase(names, (n) => phaseOf(states.get(n)!.resolved), PHASES);
  return { phases: groups.map((g) => ({ phase: g.phase, hosts: g.hosts.map((n) => states.get(n)!) })) };
}

/**
 * Cluster-wide vars every host sees, unless the inventory sets them: where the core is (the address its
 * connection reaches), and `stackato_node_addresses`, each cluster node's name -> address (the hosts of
 * `stackato_nodes`: what the inventory says the cluster is, compared with `kato node list` on the core).
 */
export function clusterVars(inv: Inventory, hosts: ReadonlyMap<string, ResolvedHost>): Record<string, unknown> {
  const core = inv.groups.get('core')?.hosts[0];
  if (!core) return {};
  const nodes = groupHosts(inv, STACKATO_NODES);
  return {
    stackato_core: core,
    stackato_core_ip: hosts.get(core)?.connection?.address ?? core,
    stackato_node_addresses: Object.fromEntries(nodes.map((n) => [n, hosts.get(n)?.connection?.address ?? n])),
  };
}

/** The run's hosts: as loaded (run.ts), or resolved here for callers that loaded no connections (tests). */
function hostsFor(
  inv: Inventory,
  given: ReadonlyMap<string, ResolvedHost> | undefined,
): ReadonlyMap<string, ResolvedHost> {
  if (given) return given;
  const { hosts, diagnostics } = resolveHosts(inv);
  if (diagnostics.length > 0) throw new InputError(diagnostics);
  return hosts;
}

export async function runPlays(
  playbook: Playbook,
  inv: Inventory,
  opts: EngineOptions & { limit?: string; keepOpen?: boolean; hosts?: ReadonlyMap<string, ResolvedHost> },
): Promise<RunResult> {
  const states = new Map<string, HostState>();
  // No prototype: a host named __proto__ or constructor is a key like any other.
  const hostvars: Record<string, Record<string, unknown>> = Object.create(null);
  const hosts = hostsFor(inv, opts.hosts);
  for (const [name, resolved] of hosts) {
    states.set(name, { name, resolved, registered: {}, notified: new Set(), state: 'active' });
    hostvars[name] = resolved.vars;
  }
  const run: PlayRun = {
    opts,
    recap: new Recap(),
    prefetch: new Prefetch((message) => opts.report({ type: 'warning', message })),
    vars: {
      hostvars,
      extraVars: opts.extraVars,
      check: opts.check,
      playbookDir: opts.playbookDir,
      clusterVars: clusterVars(inv, hosts),
    },
  };
  try {
    for (const [i, play] of playbook.plays.entries()) {
      if (run.stop || opts.signal?.aborted) break;
      const hosts = playHosts(inv, play, opts.limit, states);
      const names = hosts.phases.flatMap((p) => p.hosts.map((h) => h.name));
      opts.report({
        type: 'play:start',
        play: i,
        name: play.name,
        hosts: names,
        ...(play.strategy ? { strategy: play.strategy } : {}),
      });
      if (names.length === 0)
        opts.report({ type: 'warning', message: `play "${play.name}": no hosts matched "${play.hosts}"` });
      await runPlay(run, play, i, hosts);
      opts.report({ type: 'play:end', play: i });
      if (run.allDown) {
        if (run.allDown.cut || i < playbook.plays.length - 1) run.stop = allDownMessage(run.allDown);
        break;
      }
    }
  } finally {
    if (!opts.keepOpen) await opts.connector.closeAll();
  }
  run.prefetch!.unreached();
  if (run.stop) opts.report({ type: 'warning', message: `run stopped: ${run.stop}` });
  const interrupted = opts.signal?.aborted ?? false;
  const exitCode = run.recap.exitCode(interrupted);
  return {
    recap: run.recap,
    exitCode,
    interrupted,
    states,
    roundTrips: run.prefetch!.roundTrips(),
    ...(run.stop ? { stopped: run.stop } : {}),
  };
}
