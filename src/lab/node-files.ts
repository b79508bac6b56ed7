// The node's identity file (/var/stackato/lab/node.json on the node), read by its kato.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { gatewayAddress, PREFIX_LEN, type LabLayout } from './names.js';
import { nodeJsonPath } from './state.js';

/** What a node's kato knows about itself and the lab (the shape kato/node.ts reads). */
export interface NodeIdentity {
  name: string;
  /** Current address; kato updates it when `op static_ip --restart-network` moves the node. */
  ip: string;
  /** The address the lab gave the node. */
  labIp: string;
  prefixLen: number;
  gateway: string;
  katoVersion: string;
  strictExitCodes: boolean;
  /** Seconds `node setup core` and `node attach` take; then seconds their roles show STARTING. */
  setupSeconds: number;
  startingSeconds: number;
  /** Fault injection: processes that go FATAL whenever kato starts them. */
  failingProcesses?: string[];
  labDir: string;
  namespace: string;
}

/** Writes the identity, keeping an address the node gave itself. */
export function writeNodeIdentity(
  nodeDir: string,
  id: Omit<NodeIdentity, 'ip' | 'prefixLen' | 'gateway'>,
  layout: LabLayout,
): NodeIdentity {
  const file = nodeJsonPath(nodeDir);
  let ip = id.labIp;
  if (existsSync(file)) {
    const old = JSON.parse(readFileSync(file, 'utf8')) as Partial<NodeIdentity>;
    if (typeof old.ip === 'string' && old.ip) ip = old.ip;
  }
  const full: NodeIdentity = { ...id, ip, prefixLen: PREFIX_LEN, gateway: gatewayAddress(layout) };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, `${JSON.stringify(full, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
  return full;
}
