// The lab's record on disk (<dir>/state.json): written before each thing is made, so `lab down` works after a crash.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { LabLayout } from './names.js';
import type { ProcRecord } from './proc.js';

export interface NodeRecord {
  name: string;
  namespace: string;
  /** The address the lab gave the node; `kato op static_ip` may change it (see nodeAddress()). */
  address: string;
  bridgePort: string;
  /** Absolute folder with the node's private tree, sshd config and logs. */
  dir: string;
  /** The process that holds the node's UTS and mount namespaces; everything else enters them. */
  holder?: ProcRecord;
  sshd?: ProcRecord;
  /** Set by `lab stop` (powered off on purpose); cleared when the node's holder starts again. */
  stopped?: true;
}

export interface LabState {
  version: 1;
  /** Absolute state folder. */
  dir: string;
  layout: LabLayout;
  katoVersion: string;
  /** Make kato 2.x return non-zero on failure (the real 2.x always returned 0). */
  strictExitCodes: boolean;
  /** The stackato user's password on every node (sudo asks for it) and whether sudo skips it (nopasswd). */
  stackatoPassword?: string;
  sudoNopasswd?: boolean;
  /** Nodes that run another kato release than katoVersion (a node built from another image). */
  nodeVersions?: Record<string, string>;
  /** Seconds kato's `node setup core` and `node attach` take, then seconds their roles show STARTING. */
  setupSeconds?: number;
  startingSeconds?: number;
  /** The node names the lab was made with, when not the default layout's. */
  names?: string[];
  bridgeNamespace: string;
  /** Every network namespace the lab made or was about to make, in creation order. */
  namespaces: string[];
  /** Whether /run/netns was already a mount point before the lab (iproute2 makes it one on first use). */
  runNetnsWasMounted: boolean;
  nodes: NodeRecord[];
}

export const labPaths = (dir: string) => {
  const d = resolve(dir);
  return {
    dir: d,
    state: join(d, 'state.json'),
    key: join(d, 'id_ed25519'),
    authorizedKeys: join(d, 'authorized_keys'),
    knownHosts: join(d, 'known_hosts'),
    inventory: join(d, 'inventory.ini'),
    kato: join(d, 'kato.mjs'),
    nodes: join(d, 'nodes'),
    node: (name: string) => join(d, 'nodes', name),
  };
};

export function readState(dir: string): LabState | null {
  const file = labPaths(dir).state;
  if (!existsSync(file)) return null;
  const data = JSON.parse(readFileSync(file, 'utf8')) as LabState;
  if (data.version !== 1 || !Array.isArray(data.nodes))
    throw new Error(`${file}: not a lab state file this version understands`);
  return data;
}

/** Atomic: write a temp file, then rename, so a crash never leaves half a record. */
export function writeState(s: LabState): void {
  const file = labPaths(s.dir).state;
  writeFileSync(`${file}.tmp`, `${JSON.stringify(s, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}

/** Where the node keeps its identity; kato rewrites `ip` in it when `op static_ip` changes the address. */
export const nodeJsonPath = (nodeDir: string): string => join(nodeDir, 'stackato', 'lab', 'node.json');
/** PID files of role processes started by kato on the node (host view of /var/stackato/lab/run). */
export const nodeRunDir = (nodeDir: string): string => join(nodeDir, 'stackato', 'lab', 'run');

/** The node's current address: what its kato last recorded, else the one the lab gave it. */
export function nodeAddress(n: NodeRecord): string {
  try {
    const j = JSON.parse(readFileSync(nodeJsonPath(n.dir), 'utf8')) as { ip?: unknown };
    return typeof j.ip === 'string' && j.ip ? j.ip : n.address;
  } catch {
    return n.address;
  }
}
