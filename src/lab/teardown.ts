// Ending a node's processes and removing its namespace: by recorded PIDs (with start times) first,
// then whatever is left inside the node's own network namespace (only lab processes live there).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deleteNamespace, namespacePids } from './netns.js';
import { endProcesses, recordOf, type ProcRecord } from './proc.js';
import { nodeRunDir, type NodeRecord } from './state.js';

/** Role processes kato started on the node (redis, mbus, router, nginx), from its PID files. */
export function katoProcesses(nodeDir: string): ProcRecord[] {
  const run = nodeRunDir(nodeDir);
  if (!existsSync(run)) return [];
  const out: ProcRecord[] = [];
  for (const f of readdirSync(run).filter((f) => f.endsWith('.pid'))) {
    try {
      const r = JSON.parse(readFileSync(join(run, f), 'utf8')) as Partial<ProcRecord>;
      if (typeof r.pid === 'number' && typeof r.start === 'string')
        out.push({ pid: r.pid, start: r.start, what: String(r.what ?? f) });
    } catch {
      /* a torn PID file: the namespace sweep below still ends the process */
    }
  }
  return out;
}

/** `hard`: SIGKILL straight away, as a power cut would (no process gets to clean up or say goodbye). */
export async function endNodeProcesses(n: NodeRecord, o: { hard?: boolean } = {}): Promise<void> {
  const recorded = [...katoProcesses(n.dir), ...(n.sshd ? [n.sshd] : []), ...(n.holder ? [n.holder] : [])];
  await endProcesses(recorded, o.hard ? 0 : 3000);
  // Session shells and anything else started through this node's sshd: all inside its namespace.
  for (let round = 0; round < 3; round++) {
    const left = (await namespacePids(n.namespace))
      .map((pid) => recordOf(pid, `process in ${n.namespace}`))
      .filter((r) => r.start);
    if (!left.length) break;
    await endProcesses(left, o.hard ? 0 : 1000);
  }
}

export async function removeNode(n: NodeRecord): Promise<void> {
  await endNodeProcesses(n);
  await deleteNamespace(n.namespace);
}
