// `lab up`: make (or repair) the namespaces, private trees, holders and sshds; idempotent.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import semver from 'semver';
import { bundleKato } from './bundle.js';
import { writeClientFiles } from './files.js';
import { enterArgs, nodeEnv, startHolder } from './holder.js';
import { bridgeNamespace, checkLayout, DEFAULT_LAYOUT, planNodes, type LabLayout, type NodePlan } from './names.js';
import { ensureBridge, ensureNodeNet, isMountPoint, listNamespaces } from './netns.js';
import { writeNodeIdentity } from './node-files.js';
import { isAlive } from './proc.js';
import { nodeTree, prepareTree, sharedPaths } from './rootfs.js';
import { LabError, run } from './run.js';
import { ensureHostKey, ensureUserKey, startSshd } from './sshd.js';
import { labPaths, nodeAddress, readState, writeState, type LabState, type NodeRecord } from './state.js';
import { checkHost } from './host-check.js';
import { endNodeProcesses, removeNode } from './teardown.js';

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
}

export function checkKatoVersion(v: string): string {
  const ok = semver.valid(v) && semver.gte(v, '2.8.0') && semver.lt(v, '4.0.0');
  if (!ok) throw new LabError(`the lab emulates kato 2.8 to 3.x, not "${v}"`, 'use --kato-version 2.10.6 or 3.6.2');
  return v;
}

function freshState(dir: string, o: LabUpOptions, layout: LabLayout): LabState {
  return {
    version: 1, dir, layout, katoVersion: o.katoVersion, strictExitCodes: o.strictExitCodes ?? false,
    bridgeNamespace: bridgeNamespace(layout), namespaces: [], runNetnsWasMounted: isMountPoint('/run/netns'), nodes: [],
  };
}

export async function labUp(o: LabUpOptions): Promise<LabState> {
  const log = o.log ?? (() => {});
  const layout: LabLayout = { ...DEFAULT_LAYOUT, ...(o.prefix ? { prefix: o.prefix } : {}), ...(o.subnet ? { subnet: o.subnet } : {}) };
  const problem = checkLayout(o.nodes, layout);
  if (problem) throw new LabError(problem);
  checkKatoVersion(o.katoVersion);
  await checkHost();
  const dir = resolve(o.dir);
  const shared = sharedPaths(dir);
  const old = readState(dir);
  if (old && old.katoVersion !== o.katoVersion) throw new LabError(`the lab in ${dir} emulates kato ${old.katoVersion}, not ${o.katoVersion}`, 'run `stackplay lab down` first to change the version');
  if (old && (old.layout.prefix !== layout.prefix || old.layout.subnet !== layout.subnet)) throw new LabError(`the lab in ${dir} uses ${old.layout.prefix}* on ${old.layout.subnet}.0/24`, 'run `stackplay lab down` first');
  const state = old ?? freshState(dir, o, layout);
  const taken = (await listNamespaces()).filter((ns) => !state.namespaces.includes(ns));
  const clash = [bridgeNamespace(layout), ...planNodes(o.nodes, layout).map((p) => p.namespace)].filter((ns) => taken.includes(ns));
  if (clash.length) {
    throw new LabError(`network namespaces ${clash.join(', ')} exist but are not part of the lab in ${dir}`, 'another lab uses this prefix: take it down, or pick another --dir');
  }
  if (o.strictExitCodes !== undefined) state.strictExitCodes = o.strictExitCodes;
  mkdirSync(dir, { recursive: true });
  const save = () => writeState(state);
  const addNamespace = (ns: string) => { if (!state.namespaces.includes(ns)) { state.namespaces.push(ns); save(); } };
  save();

  log(`lab: ${old ? 'checking' : 'creating'} ${o.nodes} nodes in ${dir} (kato ${o.katoVersion})`);
  await ensureUserKey(dir);
  await bundleKato(labPaths(dir).kato, log);
  const plans = planNodes(o.nodes, layout);
  for (const extra of state.nodes.filter((n) => !plans.some((p) => p.name === n.name))) {
    log(`lab: removing ${extra.name} (beyond --nodes ${o.nodes})`);
    await removeNode(extra);
    state.nodes = state.nodes.filter((n) => n !== extra);
    state.namespaces = state.namespaces.filter((ns) => ns !== extra.namespace);
    save();
  }
  addNamespace(state.bridgeNamespace);
  await ensureBridge(state.bridgeNamespace);
  // A few nodes at a time: each step is a handful of short commands.
  const queue = [...plans];
  const rebooted: NodeRecord[] = [];
  const worker = async () => {
    for (let p = queue.shift(); p; p = queue.shift()) {
      if (await upNode(state, p, shared, save, addNamespace, log)) rebooted.push(state.nodes.find((n) => n.name === p!.name)!);
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  await bootKato(rebooted, log);
  state.nodes.sort((a, b) => plans.findIndex((p) => p.name === a.name) - plans.findIndex((p) => p.name === b.name));
  save();
  writeClientFiles(state);
  log(`lab: ${o.nodes} nodes up; inventory in ${labPaths(dir).inventory}`);
  return state;
}

/** Returns true when the node's holder was restarted over an existing node (a "reboot"). */
async function upNode(state: LabState, p: NodePlan, shared: string[], save: () => void, addNamespace: (ns: string) => void, log: (l: string) => void): Promise<boolean> {
  let rec = state.nodes.find((n) => n.name === p.name);
  if (!rec) {
    rec = { name: p.name, namespace: p.namespace, address: p.address, bridgePort: p.bridgePort, dir: labPaths(state.dir).node(p.name) };
    state.nodes.push(rec);
    save();
  }
  const node: NodeRecord = rec;
  addNamespace(node.namespace);
  const tree = nodeTree(node.dir);
  prepareTree(tree, node.name, node.address, labPaths(state.dir).kato);
  writeNodeIdentity(node.dir, {
    name: node.name, labIp: node.address, katoVersion: state.katoVersion, strictExitCodes: state.strictExitCodes,
    labDir: state.dir, namespace: node.namespace,
  }, state.layout);
  await ensureNodeNet({ namespace: node.namespace, bridgePort: node.bridgePort, address: nodeAddress(node) }, state.bridgeNamespace);
  await ensureHostKey(node.dir, node.name);
  let rebooted = false;
  if (!isAlive(node.holder)) {
    rebooted = node.holder !== undefined;
    // Whatever still runs in the namespace lives in the dead holder's mount namespace: start over.
    await endNodeProcesses(node);
    delete node.sshd;
    node.holder = await startHolder(tree, node.name, node.namespace, shared, (h) => { node.holder = h; save(); });
    log(`lab: ${node.name} namespaces ready (${nodeAddress(node)})`);
  }
  const holder = node.holder;
  if (!holder) throw new LabError(`node ${node.name}: no holder process`);
  if (!isAlive(node.sshd)) {
    node.sshd = await startSshd(state.dir, node.dir, node.name, nodeAddress(node), holder, (s) => { node.sshd = s; save(); });
    log(`lab: ${node.name} sshd up`);
  }
  save();
  return rebooted;
}

/**
 * A restarted node boots like a Stackato VM: its init job runs `kato start` (cores first, so the others
 * find their config store). Failures are reported, not fatal: `kato status` on the node shows them.
 */
async function bootKato(nodes: readonly NodeRecord[], log: (l: string) => void): Promise<void> {
  const mode = (n: NodeRecord) => (JSON.parse(readFileSync(join(n.dir, 'stackato', 'lab', 'kato.json'), 'utf8')) as { mode?: string }).mode;
  const configured = nodes.filter((n) => existsSync(join(n.dir, 'stackato', 'lab', 'kato.json')));
  for (const n of [...configured].sort((a, b) => Number(mode(b) === 'core') - Number(mode(a) === 'core'))) {
    if (!n.holder) continue;
    const r = await run('nsenter', [...enterArgs(n.holder), '--', '/home/stackato/bin/kato', 'start'], { env: nodeEnv(), timeoutMs: 60_000 });
    log(`lab: ${n.name} restarted; kato start ${r.code === 0 ? 'ok' : `failed: ${r.stderr.trim().split('\n')[0]}`}`);
  }
}
