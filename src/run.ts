// `stackplay run`: load and validate everything (nothing connects on bad input), then run the plays.
import { dirname, resolve } from 'node:path';
import type { Diagnostic } from './errors.js';
import type { Playbook } from './load/playbook-types.js';
import type { Inventory, ResolvedHost } from './inventory/types.js';
import type { Reporter } from './report/events.js';
import type { Connector } from './engine/types.js';
import { ExitCode } from './exit-codes.js';
import { loadInventories } from './inventory/load.js';
import { addImplicitHosts } from './inventory/implicit.js';
import { validateTopology } from './inventory/topology.js';
import { addStackatoNodes } from './inventory/cluster-group.js';
import { checkLimit, checkPlayPattern } from './inventory/pattern.js';
import { resolveHosts } from './engine/hosts.js';
import { loadPlaybook } from './load/playbook.js';
import { parseExtraVars } from './load/extra-vars.js';
import { modules } from '../modules/index.js';
import { clusterVars, hostsOfRun, runPlays } from './engine/run-plays.js';
import { checkUndefinedVars } from './validate/undefined-vars.js';
import { checkSuPasswords } from './validate/su-password.js';
import { lockCluster } from './engine/lock.js';
import { redactingReporter, registerSecrets, secretsOfLayers } from './report/redact.js';

export interface RunOptions {
  playbook: string;
  inventories: string[];
  check: boolean;
  diff: boolean;
  limit?: string;
  tags: string[];
  skipTags: string[];
  forks: number;
  extraVars: string[];
  timeoutSec?: number;
  signal?: AbortSignal;
  /** Remove a cluster lock left by another run (see src/engine/lock.ts) before taking it. */
  breakLock?: boolean;
  /** How hosts are reached; the CLI passes the SSH pool, tests may pass fakes. */
  connector: Connector;
}

export interface Loaded {
  playbook: Playbook;
  inventory: Inventory;
  /** Every host with its vars and its checked connection, resolved once. */
  hosts: Map<string, ResolvedHost>;
  extraVars: Record<string, unknown>;
}

const errorsIn = (ds: Diagnostic[]) => ds.filter((d) => d.severity === 'error');

/**
 * Loads inventory, playbook and extra vars; every diagnostic is collected before anything runs.
 * `connections: false` (listing and --syntax-check, which never connect, as in Ansible) leaves
 * connection vars and the variables tasks read (src/validate/undefined-vars.ts) unchecked.
 */
export function loadForRun(
  o: Pick<RunOptions, 'playbook' | 'inventories' | 'extraVars' | 'limit'> &
    Partial<Pick<RunOptions, 'check' | 'tags' | 'skipTags'>>,
  { connections = true }: { connections?: boolean } = {},
): {
  loaded?: Loaded;
  diagnostics: Diagnostic[];
} {
  const inv = loadInventories(o.inventories);
  const diagnostics = [...inv.diagnostics];
  const pb = loadPlaybook(o.playbook, modules);
  const ev = parseExtraVars(o.extraVars);
  let hosts = new Map<string, ResolvedHost>();
  if (errorsIn(inv.diagnostics).length === 0) {
    // Before connections are resolved: plays (or --limit) naming localhost get Ansible's implicit one.
    const patterns = pb.playbook?.plays.map((p) => p.hosts) ?? [];
    addImplicitHosts(inv.inventory, o.limit === undefined ? patterns : [...patterns, o.limit]);
    diagnostics.push(...validateTopology(inv.inventory));
    addStackatoNodes(inv.inventory);
    const resolved = resolveHosts(inv.inventory, undefined, ev.vars, ev.origins);
    hosts = resolved.hosts;
    if (connections) diagnostics.push(...resolved.diagnostics);
  }
  diagnostics.push(...pb.diagnostics);
  if (errorsIn(inv.diagnostics).length === 0) {
    for (const play of pb.playbook?.plays ?? [])
      diagnostics.push(...checkPlayPattern(inv.inventory, play.hosts, play.at));
    if (o.limit !== undefined) diagnostics.push(...checkLimit(inv.inventory, o.limit));
  }
  diagnostics.push(...ev.diagnostics);
  // Before any diagnostic is shown: a value marked secret in one layer is masked in every output.
  registerSecrets(
    secretsOfLayers([
      ev.vars,
      ...[...inv.inventory.hosts.values()].map((h) => h.vars),
      ...[...inv.inventory.groups.values()].map((g) => g.vars),
      ...(pb.playbook?.plays.map((p) => p.vars) ?? []),
    ]),
  );
  if (errorsIn(diagnostics).length > 0 || !pb.playbook) return { diagnostics };
  // Validate before touch: a variable some host lacks stops the run here, before anything connects.
  if (connections) {
    diagnostics.push(
      ...checkUndefinedVars({
        playbook: pb.playbook,
        inventory: inv.inventory,
        hosts,
        extraVars: ev.vars,
        clusterVars: clusterVars(inv.inventory, hosts),
        check: o.check ?? false,
        ...(o.limit !== undefined ? { limit: o.limit } : {}),
        ...(o.tags ? { tags: o.tags } : {}),
        ...(o.skipTags ? { skipTags: o.skipTags } : {}),
      }),
    );
    diagnostics.push(
      ...checkSuPasswords({
        playbook: pb.playbook,
        inventory: inv.inventory,
        hosts,
        ...(o.limit !== undefined ? { limit: o.limit } : {}),
        ...(o.tags ? { tags: o.tags } : {}),
        ...(o.skipTags ? { skipTags: o.skipTags } : {}),
      }),
    );
    if (errorsIn(diagnostics).length > 0) return { diagnostics };
  }
  return { loaded: { playbook: pb.playbook, inventory: inv.inventory, hosts, extraVars: ev.vars }, diagnostics };
}

/** Every secret known before the run: connection passwords and secret-named vars of all hosts, plays and -e. */
export function knownSecrets(l: Loaded): string[] {
  const hostVars = [...l.hosts.values()].map((h) => h.vars);
  return secretsOfLayers([l.extraVars, ...hostVars, ...l.playbook.plays.map((p) => p.vars)]);
}

export async function runPlaybook(o: RunOptions, rawReport: Reporter): Promise<number> {
  const started = Date.now();
  const { loaded, diagnostics } = loadForRun(o);
  if (diagnostics.length > 0) rawReport({ type: 'diagnostics', diagnostics });
  if (!loaded) return ExitCode.invalidInput;
  const secrets = knownSecrets(loaded);
  registerSecrets(secrets);
  const report = redactingReporter(rawReport, () => secrets);
  // One changing run per cluster at a time (check mode changes nothing, so it needs no lock).
  const lock = o.check
    ? undefined
    : await lockCluster(loaded.inventory, o.connector, `stackplay run ${o.playbook}`, {
        breakLock: !!o.breakLock,
        warn: (message) => report({ type: 'warning', message }),
        hosts: loaded.hosts,
      });
  if (lock && 'refused' in lock) {
    report({ type: 'diagnostics', diagnostics: [lock.refused] });
    await o.connector.closeAll();
    return ExitCode.hostFailed; // the core refused this run: DESIGN.md has no code of its own for a held lock
  }
  // Everything is validated (nothing connected on bad input) and the lock is held: the hosts' connections
  // open now, a few at a time, while the first tasks are planned and run, not one fork's worth per task.
  o.connector.warm?.(hostsOfRun(loaded.playbook, loaded.inventory, o.limit).map((n) => loaded.hosts.get(n)!));
  report({
    type: 'run:start',
    playbook: o.playbook,
    check: o.check,
    diff: o.diff,
    hosts: [...loaded.inventory.hosts.keys()],
  });
  const result = await runPlays(loaded.playbook, loaded.inventory, {
    hosts: loaded.hosts,
    check: o.check,
    diff: o.diff,
    forks: o.forks,
    tags: o.tags,
    skipTags: o.skipTags,
    extraVars: loaded.extraVars,
    modules,
    connector: o.connector,
    report,
    playbookDir: dirname(resolve(o.playbook)),
    secrets,
    ...(o.limit ? { limit: o.limit } : {}),
    ...(o.timeoutSec ? { timeoutSec: o.timeoutSec } : {}),
    ...(o.signal ? { signal: o.signal } : {}),
    ...(lock ? { keepOpen: true } : {}),
  }).finally(async () => {
    if (!lock) return;
    await lock.release().catch((e: Error) =>
      report({
        type: 'warning',
        message: `could not release the cluster lock: ${e.message}; the next run needs --break-lock`,
      }),
    );
    await o.connector.closeAll();
  });
  report({
    type: 'run:end',
    recap: result.recap.toJSON(),
    exitCode: result.exitCode,
    ms: Date.now() - started,
    roundTrips: result.roundTrips,
    ...(result.interrupted ? { interrupted: true } : {}),
    ...(result.stopped ? { stopped: result.stopped } : {}),
  });
  return result.exitCode;
}
