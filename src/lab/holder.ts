// The per-node holder: `sleep infinity` inside the node's network, UTS and mount namespaces. Every other
// lab process of the node enters the holder's namespaces with nsenter, so they all share one view.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { holderScript, type NodeTree } from './rootfs.js';
import { isAlive, spawnDetached, type ProcRecord } from './proc.js';
import { LabError, waitFor } from './run.js';

/** nsenter arguments that put a command in the node's namespaces (network, UTS, mount; the root is the node's). */
export const enterArgs = (holder: ProcRecord): string[] => ['-t', String(holder.pid), '-n', '-u', '-m'];

/** The PATH of commands run on a node: kato lives in /home/stackato/bin as on a real Stackato VM. */
export const NODE_PATH = '/home/stackato/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export function nodeEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: NODE_PATH, HOME: '/root', LANG: 'C.UTF-8', ...extra };
}

/**
 * Starts the holder. `ip netns exec` enters the network namespace (and remounts /sys for it); `unshare`
 * then gives the node its own hostname and a private mount namespace, where the script builds its root.
 */
export async function startHolder(
  t: NodeTree,
  name: string,
  namespace: string,
  shared: readonly string[],
  record: (p: ProcRecord) => void,
): Promise<ProcRecord> {
  writeFileSync(t.holderScript, holderScript(t, name, shared));
  rmSync(t.readyFile, { force: true });
  const holder = spawnDetached(
    'ip',
    ['netns', 'exec', namespace, 'unshare', '--uts', '--mount', '--propagation', 'private', '/bin/sh', t.holderScript],
    t.log,
    `holder of ${name}`,
  );
  record(holder);
  // Generous: a few mounts, but on a busy machine each process start can take seconds.
  const ready = await waitFor(() => existsSync(t.readyFile) || !isAlive(holder), 60_000);
  if (!ready || !existsSync(t.readyFile) || !isAlive(holder)) {
    const log = existsSync(t.log) ? readFileSync(t.log, 'utf8').trim().split('\n').slice(-5).join('\n') : '';
    throw new LabError(`node ${name}: its namespaces could not be set up${log ? `:\n${log}` : ''}`, `see ${t.log}`);
  }
  return holder;
}
