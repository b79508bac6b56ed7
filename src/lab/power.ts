// `lab stop` and `lab reboot`: power nodes off like a power cut, and on again as a booting VM would.
// The network namespace, its links, addresses and firewall rules stay (the NIC and the switch port),
// and so do the node's files (its disk); its processes, mounts and controller connections do not.
import { resolve } from 'node:path';
import { bootNodes } from './boot.js';
import { writeClientFiles } from './files.js';
import { checkHost } from './host-check.js';
import type { NodePlan } from './names.js';
import { isAlive } from './proc.js';
import { LabError } from './run.js';
import { readState, writeState, type LabState, type NodeRecord } from './state.js';
import { endNodeProcesses } from './teardown.js';

export interface LabPowerOptions {
  dir: string;
  /** Node names, e.g. ['dea1', 'router2']; each must be in the lab. */
  nodes: readonly string[];
  log?: (line: string) => void;
}

/** The lab's state and its records of the named nodes, in the order named (duplicates once). */
function pickNodes(dir: string, names: readonly string[]): { state: LabState; picked: NodeRecord[] } {
  const state = readState(dir);
  if (!state) throw new LabError(`no lab in ${dir}`, 'run `stackplay lab up` first');
  if (names.length === 0)
    throw new LabError('no node named', `name one or more of: ${state.nodes.map((n) => n.name).join(', ')}`);
  const unknown = names.filter((name) => !state.nodes.some((n) => n.name === name));
  if (unknown.length) {
    throw new LabError(
      `no node ${unknown.map((u) => `"${u}"`).join(', ')} in the lab in ${dir} (nodes: ${state.nodes.map((n) => n.name).join(', ')})`,
    );
  }
  const picked = [...new Set(names)].map((name) => state.nodes.find((n) => n.name === name)!);
  return { state, picked };
}

async function stopNodes(state: LabState, picked: readonly NodeRecord[], log: (l: string) => void): Promise<void> {
  await Promise.all(
    picked.map(async (n) => {
      const wasUp = isAlive(n.holder) || isAlive(n.sshd);
      await endNodeProcesses(n, { hard: true });
      delete n.holder;
      delete n.sshd;
      n.stopped = true;
      log(`lab: ${n.name} ${wasUp ? 'stopped' : 'was already stopped'}`);
    }),
  );
  writeState(state);
}

/** Powers the named nodes off: every process of each node ends at once; its network and files stay. */
export async function labStop(o: LabPowerOptions): Promise<LabState> {
  await checkHost();
  const { state, picked } = pickNodes(resolve(o.dir), o.nodes);
  await stopNodes(state, picked, o.log ?? (() => {}));
  return state;
}

/**
 * Powers the named nodes off and on again as `lab up` restarts a crashed node: new UTS and mount
 * namespaces, its sshd with the same host key, then `kato start` if kato was set up on it.
 * Other nodes are not touched.
 */
export async function labReboot(o: LabPowerOptions): Promise<LabState> {
  const log = o.log ?? (() => {});
  await checkHost();
  const { state, picked } = pickNodes(resolve(o.dir), o.nodes);
  await stopNodes(state, picked, log);
  const plans: NodePlan[] = picked.map((n) => ({
    name: n.name,
    index: state.nodes.indexOf(n),
    address: n.address,
    namespace: n.namespace,
    bridgePort: n.bridgePort,
  }));
  await bootNodes(state, plans, log);
  writeClientFiles(state);
  log(`lab: rebooted ${picked.map((n) => n.name).join(', ')}`);
  return state;
}
