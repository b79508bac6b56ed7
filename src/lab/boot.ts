// Powering nodes on: network, private tree, holder and sshd per node, then `kato start` on the nodes that
// came back from a crash, a `lab stop` or a `lab reboot` (shared by `lab up` and `lab reboot`).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { enterArgs, nodeEnv, startHolder } from './holder.js';
import type { NodePlan } from './names.js';
import { ensureNodeNet } from './netns.js';
import { writeNodeIdentity } from './node-files.js';
import { isAlive } from './proc.js';
import { nodeTree, prepareTree, sharedPaths } from './rootfs.js';
import { LabError, run } from './run.js';
import { ensureHostKey, startSshd } from './sshd.js';
import { labPaths, nodeAddress, writeState, type LabState, type NodeRecord } from './state.js';
import { endNodeProcesses } from './teardown.js';
import { authorizeStackato, DEFAULT_STACKATO_PASSWORD, STACKATO_USER, type StackatoAccount } from './users.js';

/** Short for CI, but not instant: modules must wait for readiness (kato.md section 2, `process ready --block`). */
export const DEFAULT_SETUP_SECONDS = 2;
export const DEFAULT_STARTING_SECONDS = 3;

export const accountOf = (s: LabState): StackatoAccount => ({
  password: s.stackatoPassword ?? DEFAULT_STACKATO_PASSWORD,
  nopasswd: s.sudoNopasswd ?? false,
});

/** Records every namespace before it is made, so `lab down` finds it after a crash. */
export function recordNamespace(state: LabState, ns: string): void {
  if (!state.namespaces.includes(ns)) {
    state.namespaces.push(ns);
    writeState(state);
  }
}

/**
 * Brings the planned nodes up (a few at a time: each is a handful of short commands) and boots kato on
 * those that were restarted. Nodes already up are left running. Returns the restarted nodes.
 */
export async function bootNodes(
  state: LabState,
  plans: readonly NodePlan[],
  log: (l: string) => void,
): Promise<NodeRecord[]> {
  const shared = sharedPaths(state.dir);
  const queue = [...plans];
  const rebooted: NodeRecord[] = [];
  const worker = async () => {
    for (let p = queue.shift(); p; p = queue.shift()) {
      const node = await upNode(state, p, shared, log);
      if (node) rebooted.push(node);
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  await bootKato(rebooted, log);
  return rebooted;
}

/** Returns the node when its holder was restarted over an existing node (a "reboot"), else null. */
async function upNode(
  state: LabState,
  p: NodePlan,
  shared: string[],
  log: (l: string) => void,
): Promise<NodeRecord | null> {
  const save = () => writeState(state);
  let rec = state.nodes.find((n) => n.name === p.name);
  if (!rec) {
    rec = {
      name: p.name,
      namespace: p.namespace,
      address: p.address,
      bridgePort: p.bridgePort,
      dir: labPaths(state.dir).node(p.name),
    };
    state.nodes.push(rec);
    save();
  }
  const node: NodeRecord = rec;
  recordNamespace(state, node.namespace);
  const tree = nodeTree(node.dir);
  prepareTree(tree, node.name, node.address, labPaths(state.dir).kato, accountOf(state));
  // sshd reads authorized keys as the user logging in: stackato gets its own copy of the lab's key.
  authorizeStackato(join(tree.root, 'home', 'stackato'), readFileSync(labPaths(state.dir).authorizedKeys, 'utf8'));
  writeNodeIdentity(
    node.dir,
    {
      name: node.name,
      labIp: node.address,
      katoVersion: state.nodeVersions?.[node.name] ?? state.katoVersion,
      strictExitCodes: state.strictExitCodes,
      setupSeconds: state.setupSeconds ?? DEFAULT_SETUP_SECONDS,
      startingSeconds: state.startingSeconds ?? DEFAULT_STARTING_SECONDS,
      ...(state.failingProcesses?.[node.name] ? { failingProcesses: state.failingProcesses[node.name] } : {}),
      labDir: state.dir,
      namespace: node.namespace,
    },
    state.layout,
  );
  await ensureNodeNet(
    { namespace: node.namespace, bridgePort: node.bridgePort, address: nodeAddress(node) },
    state.bridgeNamespace,
  );
  await ensureHostKey(node.dir, node.name);
  let rebooted = false;
  if (!isAlive(node.holder)) {
    // A dead holder (a crash) or none after `lab stop`: either way the node had run before.
    rebooted = node.holder !== undefined || node.stopped === true;
    // Whatever still runs in the namespace lives in the dead holder's mount namespace: start over.
    await endNodeProcesses(node);
    delete node.sshd;
    node.holder = await startHolder(tree, node.name, node.namespace, shared, (h) => {
      node.holder = h;
      delete node.stopped;
      save();
    });
    log(`lab: ${node.name} namespaces ready (${nodeAddress(node)})`);
  }
  const holder = node.holder;
  if (!holder) throw new LabError(`node ${node.name}: no holder process`);
  if (!isAlive(node.sshd)) {
    node.sshd = await startSshd(state.dir, node.dir, node.name, nodeAddress(node), holder, (s) => {
      node.sshd = s;
      save();
    });
    log(`lab: ${node.name} sshd up`);
  }
  save();
  return rebooted ? node : null;
}

/**
 * A restarted node boots like a Stackato VM: its init job runs `kato start` (cores first, so the others
 * find their config store). Failures are reported, not fatal: `kato status` on the node shows them.
 */
async function bootKato(nodes: readonly NodeRecord[], log: (l: string) => void): Promise<void> {
  const mode = (n: NodeRecord) =>
    (JSON.parse(readFileSync(join(n.dir, 'stackato', 'lab', 'kato.json'), 'utf8')) as { mode?: string }).mode;
  const configured = nodes.filter((n) => existsSync(join(n.dir, 'stackato', 'lab', 'kato.json')));
  for (const n of [...configured].sort((a, b) => Number(mode(b) === 'core') - Number(mode(a) === 'core'))) {
    if (!n.holder) continue;
    // The init job runs kato as stackato (kato.md section 3.1: root reaches kato through su -l stackato).
    const r = await run(
      'nsenter',
      [...enterArgs(n.holder), '--', 'runuser', '-u', STACKATO_USER, '--', '/home/stackato/bin/kato', 'start'],
      {
        env: nodeEnv({ HOME: '/home/stackato', USER: STACKATO_USER, LOGNAME: STACKATO_USER }),
        timeoutMs: 300_000,
      },
    );
    log(`lab: ${n.name} restarted; kato start ${r.code === 0 ? 'ok' : `failed: ${r.stderr.trim().split('\n')[0]}`}`);
  }
}
