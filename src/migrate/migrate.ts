// `stackplay migrate`: a rolling, resumable Core IP change, core first, then the nodes in phase order in batches.
import type { ResolvedHost } from '../inventory/types.js';
import type { Playbook } from '../load/playbook-types.js';
import type { Reporter, RunEvent } from '../report/events.js';
import type { Connector } from '../engine/types.js';
import { loadInventories } from '../inventory/load.js';
import { validateTopology } from '../inventory/topology.js';
import { resolveHosts } from '../engine/hosts.js';
import { PHASES, phaseOf } from '../inventory/roles.js';
import { groupByPhase, splitBatches } from '../engine/batches.js';
import { runPlays } from '../engine/run-plays.js';
import { Recap } from '../engine/recap.js';
import { modules } from '../../modules/index.js';
import { lockCluster } from '../engine/lock.js';
import { ExitCode } from '../exit-codes.js';
import { UsageError, diag } from '../errors.js';
import { MigrateConnector } from './connector.js';
import { batchPlay, corePlay, verifyPlay, type MigrateParams } from './plays.js';
import {
  newMigrationState,
  readMigrationState,
  statePath,
  unfinished,
  writeMigrationState,
  type MigrationState,
} from './state.js';

export interface MigrateOptions {
  inventories: string[];
  newCoreIp: string;
  oldCoreIp?: string;
  check: boolean;
  /** "N" hosts or "N%" of the nodes per batch. */
  batch: string;
  /** Failed or unreachable nodes tolerated before stopping: "N" or "N%". */
  maxFail: string;
  resume: boolean;
  stateDir?: string;
  forks: number;
  connector: Connector;
  signal?: AbortSignal;
  /** Remove a stale cluster lock before taking it (src/engine/lock.ts). */
  breakLock?: boolean;
}

const limitOf = (spec: string, total: number): number =>
  spec.endsWith('%') ? Math.floor((total * Number(spec.slice(0, -1))) / 100) : Number(spec);

/** Where a host is reached: its connection, resolved once at load (src/transport/connection.ts). */
const addressOf = (hosts: ReadonlyMap<string, ResolvedHost>, host: string): string =>
  hosts.get(host)?.connection?.address ?? host;

export async function migrate(o: MigrateOptions, report: Reporter): Promise<number> {
  const started = Date.now();
  const { inventory: inv, diagnostics } = loadInventories(o.inventories);
  let hosts = new Map<string, ResolvedHost>();
  if (!diagnostics.some((d) => d.severity === 'error')) {
    diagnostics.push(...validateTopology(inv));
    const resolved = resolveHosts(inv);
    hosts = resolved.hosts;
    diagnostics.push(...resolved.diagnostics);
  }
  const core = inv.groups.get('core')?.hosts[0];
  const loaded = !diagnostics.some((d) => d.severity === 'error');
  if (!core && loaded)
    diagnostics.push(
      diag(
        'E_MIGRATE_NO_CORE',
        'the inventory has no host in the core group',
        { file: o.inventories[0] ?? '-i', line: 1, col: 1 },
        'put the core node in a [core] group',
      ),
    );
  if (diagnostics.some((d) => d.severity === 'error') || !core) {
    report({ type: 'diagnostics', diagnostics });
    return ExitCode.invalidInput;
  }
  const coreVars = hosts.get(core)!.vars;
  const params: MigrateParams = {
    oldIp: o.oldCoreIp ?? addressOf(hosts, core),
    newIp: o.newCoreIp,
    netmask: String(coreVars.netmask ?? '255.255.255.0'),
    ...(coreVars.gateway ? { gateway: String(coreVars.gateway) } : {}),
  };
  const nodes = groupByPhase(
    [...inv.hosts.keys()].filter((h) => h !== core),
    (h) => phaseOf(hosts.get(h)!),
    PHASES,
  )
    .filter((g) => g.phase !== 'other')
    .flatMap((g) => g.hosts);

  const file = statePath(o.newCoreIp, o.stateDir);
  const previous = readMigrationState(file);
  if (o.resume && !previous)
    throw new UsageError(`nothing to resume: no progress file ${file}`, 'start the migration without --resume');
  if (!o.resume && !o.check && previous && unfinished(previous).length > 0) {
    throw new UsageError(
      `an unfinished migration to ${o.newCoreIp} is recorded in ${file}`,
      'continue it with --resume (or delete the file to start over)',
    );
  }
  const state: MigrationState =
    o.resume && previous ? previous : newMigrationState(params.oldIp, params.newIp, [core, ...nodes]);
  if (o.resume && previous) params.oldIp = previous.oldIp;
  const save = () => {
    if (!o.check) writeMigrationState(file, state);
  };
  const connector = new MigrateConnector(o.connector, core, params.newIp, state.nodes[core]?.status === 'done');
  // One changing run per cluster at a time; taken before any progress is recorded.
  const lock = o.check
    ? undefined
    : await lockCluster(inv, connector, `stackplay migrate to ${params.newIp}`, {
        breakLock: !!o.breakLock,
        warn: (message) => report({ type: 'warning', message }),
        hosts,
      });
  if (lock && 'refused' in lock) {
    report({ type: 'diagnostics', diagnostics: [lock.refused] });
    await connector.closeAll();
    return ExitCode.hostFailed;
  }
  save();
  report({ type: 'warning', message: `${o.check ? 'check mode: would record' : 'progress is recorded in'} ${file}` });

  const recap = new Recap();
  let verifyFailed: string | undefined;
  const record: Reporter = (e: RunEvent) => {
    if (e.type === 'host:end') {
      recap.count(e.host, e.status, e.ignored);
      if (!o.check && e.task.module === 'migrate_core_ip') {
        const status =
          e.status === 'ok' || e.status === 'changed' ? 'done' : e.status === 'unreachable' ? 'unreachable' : 'failed';
        state.nodes[e.host] = {
          status,
          at: new Date().toISOString(),
          ...(status === 'done' ? {} : { error: e.message ?? e.status }),
        };
        save();
      }
      if (!o.check && e.task.module === 'verify_nodes' && e.status === 'failed')
        verifyFailed = e.message ?? 'verification failed';
    }
    report(e);
  };
  const run = (plays: Playbook['plays']) =>
    runPlays({ file: '(stackplay migrate)', dir: '.', plays, text: '' }, inv, {
      check: o.check,
      diff: o.check,
      forks: o.forks,
      tags: [],
      skipTags: [],
      extraVars: {},
      modules,
      connector,
      report: record,
      playbookDir: '.',
      keepOpen: true,
      hosts,
      ...(o.signal ? { signal: o.signal } : {}),
    });

  const allowed = limitOf(o.maxFail, nodes.length + 1);
  const failures = () =>
    Object.values(state.nodes).filter((n) => n.status === 'failed' || n.status === 'unreachable').length;
  let stopped: string | undefined;
  try {
    report({
      type: 'run:start',
      playbook: `migrate ${params.oldIp} -> ${params.newIp}`,
      check: o.check,
      diff: false,
      hosts: [core, ...nodes],
    });
    if (state.nodes[core]?.status !== 'done' || o.check) {
      state.nodes[core] = { status: 'pending' };
      await run([corePlay(core, params)]);
      if (!o.check && state.nodes[core]?.status !== 'done')
        stopped = `the core did not move to ${params.newIp}; the other nodes were left alone`;
    }
    const todo = nodes.filter((n) => o.check || state.nodes[n]?.status !== 'done');
    const batches = splitBatches(todo, [o.batch]);
    for (const [i, batch] of batches.entries()) {
      if (stopped || o.signal?.aborted) break;
      await run([batchPlay(i + 1, batch, params)]);
      if (!o.check) {
        const done = batch.filter((n) => state.nodes[n]?.status === 'done');
        verifyFailed = undefined;
        if (done.length)
          await run([
            verifyPlay(
              core,
              i + 1,
              done.map((n) => addressOf(hosts, n)),
              params,
            ),
          ]);
        if (verifyFailed) stopped = `after batch ${i + 1}: ${verifyFailed}`;
      }
      if (!stopped && failures() > allowed)
        stopped = `${failures()} node(s) failed, more than --max-fail ${o.maxFail} allows`;
    }
  } finally {
    await lock?.release().catch((e: Error) =>
      report({
        type: 'warning',
        message: `could not release the cluster lock: ${e.message}; the next run needs --break-lock`,
      }),
    );
    await connector.closeAll();
  }
  const left = unfinished(state);
  if (stopped) report({ type: 'warning', message: `migration stopped: ${stopped}` });
  if (!o.check) {
    report({
      type: 'warning',
      message: left.length
        ? `not migrated yet: ${left.join(', ')}; continue with --resume once they are reachable (progress: ${file})`
        : `every node follows the core at ${params.newIp} (progress: ${file})`,
    });
  }
  const interrupted = o.signal?.aborted ?? false;
  const exitCode = interrupted
    ? ExitCode.interrupted
    : o.check
      ? recap.exitCode(false)
      : left.length === 0
        ? ExitCode.ok
        : Object.values(state.nodes).some((n) => n.status === 'failed') || verifyFailed
          ? ExitCode.hostFailed
          : ExitCode.unreachable;
  report({
    type: 'run:end',
    recap: recap.toJSON(),
    exitCode,
    ms: Date.now() - started,
    ...(interrupted ? { interrupted: true } : {}),
  });
  return exitCode;
}
