// `lab status`: each node's address, namespace, state (up, stopped, down), holder and sshd health, and its kato roles.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isAlive } from './proc.js';
import { probeTcp } from './sshd.js';
import { nodeAddress, readState, type NodeRecord } from './state.js';

export interface LabNodeStatus {
  name: string;
  address: string;
  namespace: string;
  /** up: sshd answers; stopped: powered off by `lab stop`; down: crashed or broken (`lab up` repairs it). */
  state: 'up' | 'stopped' | 'down';
  holder: 'up' | 'down';
  sshd: 'up' | 'down';
  /** Roles the node's kato has configured (empty before any kato command changed them). */
  roles: string[];
  /** Address of the core the node is attached to, or null. */
  core: string | null;
}

export interface LabStatus {
  dir: string;
  katoVersion: string | null;
  nodes: LabNodeStatus[];
  text: string;
}

function katoView(n: NodeRecord): { roles: string[]; core: string | null } {
  try {
    const s = JSON.parse(readFileSync(join(n.dir, 'stackato', 'lab', 'kato.json'), 'utf8')) as {
      roles?: Record<string, unknown>;
      mbusip?: unknown;
    };
    const core = typeof s.mbusip === 'string' && !s.mbusip.startsWith('127.') ? s.mbusip : null;
    return { roles: Object.keys(s.roles ?? {}).sort(), core };
  } catch {
    return { roles: [], core: null };
  }
}

async function nodeStatus(n: NodeRecord): Promise<LabNodeStatus> {
  const address = nodeAddress(n);
  const holder = isAlive(n.holder) ? 'up' : 'down';
  const sshd =
    holder === 'up' && n.holder && isAlive(n.sshd) && (await probeTcp(n.holder, address, 22)) ? 'up' : 'down';
  const state = sshd === 'up' ? 'up' : n.stopped && holder === 'down' ? 'stopped' : 'down';
  return { name: n.name, address, namespace: n.namespace, state, holder, sshd, ...katoView(n) };
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export async function labStatus(o: { dir: string }): Promise<LabStatus> {
  const dir = resolve(o.dir);
  const state = readState(dir);
  if (!state) return { dir, katoVersion: null, nodes: [], text: `no lab in ${dir} (stackplay lab up --nodes N)` };
  const nodes = await Promise.all(state.nodes.map(nodeStatus));
  const healthy = nodes.filter((n) => n.state === 'up').length;
  const count = (s: LabNodeStatus['state']) => nodes.filter((n) => n.state === s).length;
  const rows = [
    ['NODE', 'ADDRESS', 'NAMESPACE', 'STATE', 'HOLDER', 'SSHD', 'CORE', 'ROLES'],
    ...nodes.map((n) => [
      n.name,
      n.address,
      n.namespace,
      n.state,
      n.holder,
      n.sshd,
      n.core ?? '-',
      n.roles.join(',') || '-',
    ]),
  ];
  const others = [
    count('stopped') ? `${count('stopped')} stopped` : '',
    count('down') ? `${count('down')} down` : '',
  ].filter(Boolean);
  const head = `lab in ${dir}: ${nodes.length} nodes, kato ${state.katoVersion}, ${healthy}/${nodes.length} healthy${others.length ? ` (${others.join(', ')})` : ''}`;
  return { dir, katoVersion: state.katoVersion, nodes, text: `${head}\n${table(rows)}` };
}
