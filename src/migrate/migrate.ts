// `stackplay migrate`: a rolling, resumable Core IP change: survey, backup, the core, the load balancer, then the nodes in batches.
import { resolve } from 'node:path';
import type { ResolvedHost } from '../inventory/types.js';
import type { Playbook } from '../load/playbook-types.js';
import type { Reporter, RunEvent } from '../report/events.js';
import type { Connector } from '../engine/types.js';
import { loadInventories } from '../inventory/load.js';
import { validateTopology } from '../inventory/topology.js';
import { resolveHosts } from '../engine/hosts.js';
import { PHASES, phaseOf } from '../inventory/roles.js';
import { groupByPhase, splitBatches } from '../engine/batches.js';
import { runPlays, type RunResult } from '../engine/run-plays.js';
import { Recap } from '../engine/recap.js';
import { modules } from '../../modules/index.js';
import { lockCluster } from '../engine/lock.js';
import { ExitCode } from '../exit-codes.js';
import { UsageError, diag } from '../errors.js';
import { MigrateConnector } from './connector.js';
import { REGISTERED, backupPlay, batchPlay, corePlay, surveyPlay, verifyPlay, type MigrateParams } from './plays.js';
import { classify, coreProblem, type SurveyedNode } from './survey.js';
import {
  backupPath,
  newMigrationState,
  readMigrationState,
  statePath,
  unfinished,
  withStatus,
  writeMigrationState,
  type MigrationState,
  type NodeRecord,
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
  /** Leave nodes that are not attached to the old core alone (reported) instead of refusing to start. */
  skipUnattached?: boolean;
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

const list = (v: unknown): string[] | undefined =>
  Array.isArray(v) ? v.map(String) : typeof v === 'string' ? v.split(/[\s,]+/).filter(Boolean) : undefined;

const registered = (r: RunResult, host: string, name: string): Record<string, unknown> | undefined =>
  r.states.get(host)?.registered[name] as Record<string, unknown> | undefined;

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
  const dns = list(coreVars.dns_nameservers);
  const search = list(coreVars.dns_search_domains);
  const params: MigrateParams = {
    oldIp: o.oldCoreIp ?? addressOf(hosts, core),
    newIp: o.newCoreIp,
    netmask: String(coreVars.netmask ?? '255.255.255.0'),
    ...(coreVars.gateway ? { gateway: String(coreVars.gateway) } : {}),
    ...(dns ? { dnsNameservers: dns } : {}),
    ...(search ? { dnsSearchDomains: search } : {}),
  };
  // Load balancers move right after the core, so nginx drops the core's old address at once.
  const phased = groupByPhase(
    [...inv.hosts.keys()].filter((h) => h !== core),
    (h) => phaseOf(hosts.get(h)!),
    PHASES,
  ).filter((g) => g.phase !== 'other');
  const lbHosts = phased.filter((g) => g.phase === 'load_balancer').flatMap((g) => g.hosts);
  const others = phased.filter((g) => g.phase !== 'load_balancer').flatMap((g) => g.hosts);
  const nodes = [...lbHosts, ...others];

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
  const mark = (host: string, rec: NodeRecord) => {
    state.nodes[host] = { ...rec, at: new Date().toISOString() };
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

  const recap = new Recap();
  const record: Reporter = (e: RunEvent) => {
    if (e.type === 'host:end') recap.count(e.host, e.status, e.ignored);
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
  const failures = () => withStatus(state, 'failed', 'unreachable').length;
  let stopped: string | undefined;
  let refused: { message: string; code: number } | undefined;
  const failedVerification: string[] = [];
  try {
    report({
      type: 'run:start',
      playbook: `migrate ${params.oldIp} -> ${params.newIp}`,
      check: o.check,
      diff: false,
      hosts: [core, ...nodes],
    });
    const coreDone = state.nodes[core]?.status === 'done' && !o.check;
    const open = nodes.filter(
      (n) => o.check || (state.nodes[n]?.status !== 'done' && state.nodes[n]?.status !== 'skipped'),
    );

    // 1. Survey, read-only: nothing is touched unless every node to migrate follows the old core.
    const surveyed = await run([surveyPlay(coreDone ? open : [core, ...open], params)]);
    const problem = coreDone ? undefined : coreProblem(surveyed.states.get(core), params.oldIp, params.newIp);
    const survey = classify(open, surveyed.states, params.oldIp, params.newIp);
    if (problem)
      refused = {
        message: `the core group's host ${core}: ${problem}; nothing was changed`,
        code: ExitCode.hostFailed,
      };
    else if (survey.unattached.size && !o.skipUnattached) {
      const named = [...survey.unattached].map(([h, why]) => `${h} (${why})`).join(', ');
      refused = {
        message: `not attached to the core at ${params.oldIp}: ${named}; nothing was changed. Attach them, take them out of the inventory, or pass --skip-unattached to leave them alone`,
        code: ExitCode.hostFailed,
      };
    }
    if (refused) return refused.code;
    for (const [h, why] of survey.unattached)
      mark(h, { status: 'skipped', error: `not attached to the core at ${params.oldIp}: ${why}` });
    if (survey.unattached.size)
      report({
        type: 'warning',
        message: `skipped, not attached to the core at ${params.oldIp}: ${[...survey.unattached].map(([h, why]) => `${h} (${why})`).join(', ')}`,
      });
    // A node that failed or was unreachable in an earlier run is tried again once it answers.
    for (const h of survey.follow.keys()) {
      const was = state.nodes[h]?.status;
      if (was === 'failed' || was === 'unreachable' || was === undefined) state.nodes[h] = { status: 'pending' };
    }
    for (const [h, why] of survey.unknown) mark(h, { status: 'unreachable', error: `could not be surveyed: ${why}` });
    if (failures() > allowed) {
      refused = {
        message: `${[...survey.unknown.keys()].join(', ')} could not be surveyed, more than --max-fail ${o.maxFail} allows; nothing was changed`,
        code: ExitCode.unreachable,
      };
      return refused.code;
    }
    save();
    report({ type: 'warning', message: `${o.check ? 'check mode: would record' : 'progress is recorded in'} ${file}` });

    // 2. The backup, then the core.
    if (!coreDone) {
      const dest = resolve(backupPath(params.newIp, o.stateDir));
      const b = await run([backupPlay(core, dest)]);
      const ok = b.recap.exitCode(false) === 0;
      if (!ok && !o.check) stopped = `the backup of the core's config store failed; the core was not moved`;
      else {
        if (!o.check) state.backup = dest;
        report({
          type: 'warning',
          message: `${o.check ? 'would back up' : 'backup of'} the core's config store ${o.check ? 'to' : 'is'} ${dest}`,
        });
        state.nodes[core] = { status: 'pending' };
        const c = await run([corePlay(core, params)]);
        const r = registered(c, core, REGISTERED.move);
        if (!o.check) {
          mark(
            core,
            r && !r.failed && !r.unreachable
              ? { status: 'done' }
              : { status: r?.unreachable ? 'unreachable' : 'failed', error: String(r?.msg ?? 'not run') },
          );
          save();
          if (state.nodes[core]!.status !== 'done')
            stopped = `the core did not move to ${params.newIp}; the other nodes were left alone`;
        }
      }
    }

    // 3. The nodes, load balancers first, in batches; each batch checked on the core.
    const todo = (hs: string[]) => hs.filter((n) => survey.follow.has(n));
    const lbSet = new Set(lbHosts);
    const batches = [
      ...splitBatches(todo(lbHosts.filter((h) => open.includes(h))), [o.batch]),
      ...splitBatches(todo(others.filter((h) => open.includes(h))), [o.batch]),
    ];
    for (const [i, batch] of batches.entries()) {
      if (stopped || o.signal?.aborted) break;
      const n = i + 1;
      const moved = await run([
        batchPlay(
          n,
          batch,
          params,
          batch.some((h) => lbSet.has(h)),
        ),
      ]);
      const expect: Record<string, string[]> = {};
      for (const h of batch) {
        const r = registered(moved, h, REGISTERED.move);
        const seen = survey.follow.get(h) as SurveyedNode;
        if (r && !r.failed && !r.unreachable) {
          expect[seen.ip] = seen.roles;
          if (!o.check) mark(h, { status: 'moved', ip: seen.ip });
        } else if (!o.check)
          mark(h, {
            status: r?.unreachable ? 'unreachable' : 'failed',
            ip: seen.ip,
            error: String(r?.msg ?? 'not run'),
          });
      }
      save();
      if (o.check) {
        report({
          type: 'warning',
          message: `check mode: after batch ${n} the core must list ${Object.keys(expect).join(', ') || '(none)'} on ${params.newIp}, each with its roles running`,
        });
        continue;
      }
      if (Object.keys(expect).length) {
        const v = await run([verifyPlay(core, n, expect, params)]);
        const r = registered(v, core, REGISTERED.verify);
        const bad = (r?.failed_nodes ?? {}) as Record<string, string>;
        // A check that did not run, or failed for the cluster as a whole, fails every node of the batch.
        const whole =
          !r || r.unreachable || (r.failed && Object.keys(bad).length === 0)
            ? String(r?.msg ?? 'the check did not run')
            : typeof r.cluster_problem === 'string'
              ? r.cluster_problem
              : undefined;
        for (const h of batch) {
          if (state.nodes[h]?.status !== 'moved') continue;
          const ip = state.nodes[h]!.ip!;
          const why = (Object.hasOwn(bad, ip) ? bad[ip] : undefined) ?? whole;
          if (why) {
            mark(h, { status: 'failed', ip, error: `verification on the core: ${why}` });
            failedVerification.push(h);
          } else mark(h, { status: 'done', ip });
        }
        save();
        if (failedVerification.length)
          stopped = `after batch ${n}: verification failed for ${failedVerification.join(', ')}`;
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
    if (refused) {
      report({ type: 'warning', message: `migration refused: ${refused.message}` });
      report({ type: 'run:end', recap: recap.toJSON(), exitCode: refused.code, ms: Date.now() - started });
    }
  }
  const left = unfinished(state);
  if (stopped) report({ type: 'warning', message: `migration stopped: ${stopped}` });
  if (!o.check) {
    const failedNodes = withStatus(state, 'failed', 'unreachable').map((h) => `${h} (${state.nodes[h]!.error})`);
    if (failedNodes.length) report({ type: 'warning', message: `failed: ${failedNodes.join('; ')}` });
    report({
      type: 'warning',
      message: left.length
        ? `not migrated yet: ${left.join(', ')}; continue with --resume once they are fixed or reachable (progress: ${file})`
        : `every node follows the core at ${params.newIp}${withStatus(state, 'skipped').length ? ` except the skipped ${withStatus(state, 'skipped').join(', ')}` : ''} (progress: ${file})`,
    });
  }
  const interrupted = o.signal?.aborted ?? false;
  const exitCode = interrupted
    ? ExitCode.interrupted
    : o.check
      ? recap.exitCode(false)
      : left.length === 0
        ? ExitCode.ok
        : withStatus(state, 'failed').length > 0
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
