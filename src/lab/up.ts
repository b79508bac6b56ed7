// `lab up`: make (or repair) the namespaces, private trees, holders and sshds; idempotent.
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import semver from 'semver';
import { bootNodes, recordNamespace } from './boot.js';
import { bundleKato } from './bundle.js';
import { writeClientFiles } from './files.js';
import { bridgeNamespace, checkLayout, DEFAULT_LAYOUT, planNodes, type LabLayout } from './names.js';
import { ensureBridge, isMountPoint, listNamespaces } from './netns.js';
import { sharedPaths } from './rootfs.js';
import { LabError } from './run.js';
import { ensureUserKey } from './sshd.js';
import { labPaths, readState, writeState, type LabState } from './state.js';
import { checkHost } from './host-check.js';
import { removeNode } from './teardown.js';

export interface LabUpOptions {
  nodes: number;
  katoVersion: string;
  dir: string;
  log?: (line: string) => void;
  /** Namespace prefix and subnet; tests use their own so they never clash with a developer's lab. */
  prefix?: string;
  subnet?: string;
  /** kato 2.x returns non-zero on failure (the real one always returned 0). */
  strictExitCodes?: boolean;
  /** The stackato user's password (default DEFAULT_STACKATO_PASSWORD) and NOPASSWD sudo (default off). */
  stackatoPassword?: string;
  sudoNopasswd?: boolean;
  /** Per node, another kato release than katoVersion (attach refuses a mismatch without -f on 3.x). */
  nodeVersions?: Record<string, string>;
  /** Seconds `node setup core` / `node attach` take, and seconds their roles then show STARTING. */
  setupSeconds?: number;
  /** The nodes' names, in address order (default: core1 router1 router2 ... as inventory/lab.ini). */
  names?: string[];
  startingSeconds?: number;
  /**
   * Fault injection: per node, processes that fail whenever they are started, as supervisord reports a process
   * that keeps exiting: FATAL (kato.md section 2.11), while kato's own command still returns.
   */
  failingProcesses?: Record<string, string[]>;
}

export function checkKatoVersion(v: string): string {
  const ok = semver.valid(v) && semver.gte(v, '2.8.0') && semver.lt(v, '4.0.0');
  if (!ok) throw new LabError(`the lab emulates kato 2.8 to 3.x, not "${v}"`, 'use --kato-version 2.10.6 or 3.6.2');
  return v;
}

function freshState(dir: string, o: LabUpOptions, layout: LabLayout): LabState {
  return {
    version: 1,
    dir,
    layout,
    katoVersion: o.katoVersion,
    strictExitCodes: o.strictExitCodes ?? false,
    ...(o.nodeVersions ? { nodeVersions: o.nodeVersions } : {}),
    bridgeNamespace: bridgeNamespace(layout),
    namespaces: [],
    runNetnsWasMounted: isMountPoint('/run/netns'),
    nodes: [],
  };
}

export async function labUp(o: LabUpOptions): Promise<LabState> {
  const log = o.log ?? (() => {});
  const layout: LabLayout = {
    ...DEFAULT_LAYOUT,
    ...(o.prefix ? { prefix: o.prefix } : {}),
    ...(o.subnet ? { subnet: o.subnet } : {}),
  };
  // A lab made with its own names keeps them when it is repaired without them.
  const names = o.names ?? readState(resolve(o.dir))?.names;
  const problem = checkLayout(o.nodes, layout, names);
  if (problem) throw new LabError(problem);
  checkKatoVersion(o.katoVersion);
  await checkHost();
  const dir = resolve(o.dir);
  sharedPaths(dir); // refuses a lab folder the nodes could not mount, before anything is made
  const old = readState(dir);
  if (old && old.katoVersion !== o.katoVersion)
    throw new LabError(
      `the lab in ${dir} emulates kato ${old.katoVersion}, not ${o.katoVersion}`,
      'run `stackplay lab down` first to change the version',
    );
  if (old && (old.layout.prefix !== layout.prefix || old.layout.subnet !== layout.subnet))
    throw new LabError(
      `the lab in ${dir} uses ${old.layout.prefix}* on ${old.layout.subnet}.0/24`,
      'run `stackplay lab down` first',
    );
  const state = old ?? freshState(dir, o, layout);
  const taken = (await listNamespaces()).filter((ns) => !state.namespaces.includes(ns));
  const clash = [bridgeNamespace(layout), ...planNodes(o.nodes, layout, names).map((p) => p.namespace)].filter((ns) =>
    taken.includes(ns),
  );
  if (clash.length) {
    throw new LabError(
      `network namespaces ${clash.join(', ')} exist but are not part of the lab in ${dir}`,
      'another lab uses this prefix: take it down, or pick another --dir',
    );
  }
  if (o.strictExitCodes !== undefined) state.strictExitCodes = o.strictExitCodes;
  if (o.stackatoPassword !== undefined) state.stackatoPassword = o.stackatoPassword;
  if (o.sudoNopasswd !== undefined) state.sudoNopasswd = o.sudoNopasswd;
  if (o.setupSeconds !== undefined) state.setupSeconds = o.setupSeconds;
  if (o.startingSeconds !== undefined) state.startingSeconds = o.startingSeconds;
  if (o.failingProcesses !== undefined) state.failingProcesses = o.failingProcesses;
  if (names) state.names = names;
  for (const v of Object.values(o.nodeVersions ?? {})) checkKatoVersion(v);
  mkdirSync(dir, { recursive: true });
  const save = () => writeState(state);
  const addNamespace = (ns: string) => recordNamespace(state, ns);
  save();

  log(`lab: ${old ? 'checking' : 'creating'} ${o.nodes} nodes in ${dir} (kato ${o.katoVersion})`);
  await ensureUserKey(dir);
  await bundleKato(labPaths(dir).kato, log);
  const plans = planNodes(o.nodes, layout, names);
  for (const extra of state.nodes.filter((n) => !plans.some((p) => p.name === n.name))) {
    log(`lab: removing ${extra.name} (beyond --nodes ${o.nodes})`);
    await removeNode(extra);
    state.nodes = state.nodes.filter((n) => n !== extra);
    state.namespaces = state.namespaces.filter((ns) => ns !== extra.namespace);
    save();
  }
  addNamespace(state.bridgeNamespace);
  await ensureBridge(state.bridgeNamespace);
  await bootNodes(state, plans, log);
  state.nodes.sort((a, b) => plans.findIndex((p) => p.name === a.name) - plans.findIndex((p) => p.name === b.name));
  save();
  writeClientFiles(state);
  log(`lab: ${o.nodes} nodes up; inventory in ${labPaths(dir).inventory}`);
  return state;
}
