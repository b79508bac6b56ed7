// Network plumbing: a bridge in its own namespace, one namespace per node joined to it by a veth pair.
// Links are created directly inside their namespaces, so the host's namespace never holds a lab link.
import { readFileSync } from 'node:fs';
import { BRIDGE, NODE_IFACE, PREFIX_LEN } from './names.js';
import { run, runOk } from './run.js';

export async function listNamespaces(): Promise<string[]> {
  const r = await run('ip', ['netns', 'list']);
  if (r.code !== 0) return [];
  return r.stdout
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter(Boolean);
}

const hasLink = async (ns: string, link: string): Promise<boolean> =>
  (await run('ip', ['-n', ns, 'link', 'show', 'dev', link])).code === 0;

async function ensureNamespace(ns: string): Promise<void> {
  if (!(await listNamespaces()).includes(ns)) await runOk('ip', ['netns', 'add', ns]);
  await runOk('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
}

/** The bridge namespace: a bridge with no address, so nothing in it (or the host) can route to the lab. */
export async function ensureBridge(ns: string): Promise<void> {
  await ensureNamespace(ns);
  if (!(await hasLink(ns, BRIDGE))) await runOk('ip', ['-n', ns, 'link', 'add', BRIDGE, 'type', 'bridge']);
  await runOk('ip', ['-n', ns, 'link', 'set', BRIDGE, 'up']);
}

export interface NodeNet {
  namespace: string;
  bridgePort: string;
  address: string;
}

/** Namespace, veth pair (eth0 in the node, a bridge port on the other side) and the node's address. */
export async function ensureNodeNet(n: NodeNet, bridgeNs: string): Promise<void> {
  await ensureNamespace(n.namespace);
  if (!(await hasLink(n.namespace, NODE_IFACE))) {
    // A half-made pair (crash between the two ends) is removed first.
    if (await hasLink(bridgeNs, n.bridgePort)) await runOk('ip', ['-n', bridgeNs, 'link', 'del', n.bridgePort]);
    await runOk('ip', [
      'link',
      'add',
      NODE_IFACE,
      'netns',
      n.namespace,
      'type',
      'veth',
      'peer',
      'name',
      n.bridgePort,
      'netns',
      bridgeNs,
    ]);
  }
  await runOk('ip', ['-n', bridgeNs, 'link', 'set', n.bridgePort, 'master', BRIDGE, 'up']);
  const addrs = await runOk('ip', ['-n', n.namespace, '-4', '-o', 'addr', 'show', 'dev', NODE_IFACE]);
  if (!addrs.includes(` ${n.address}/`))
    await runOk('ip', ['-n', n.namespace, 'addr', 'replace', `${n.address}/${PREFIX_LEN}`, 'dev', NODE_IFACE]);
  await runOk('ip', ['-n', n.namespace, 'link', 'set', NODE_IFACE, 'up']);
}

/** Deleting a namespace also deletes the veth end in it, and with it the peer in the bridge namespace. */
export async function deleteNamespace(ns: string): Promise<void> {
  if ((await listNamespaces()).includes(ns)) await runOk('ip', ['netns', 'del', ns]);
}

/** PIDs of every process whose network namespace is `ns` (all of them were started by the lab). */
export async function namespacePids(ns: string): Promise<number[]> {
  const r = await run('ip', ['netns', 'pids', ns]);
  if (r.code !== 0) return [];
  return r.stdout
    .split('\n')
    .map(Number)
    .filter((p) => Number.isInteger(p) && p > 0);
}

export function isMountPoint(path: string): boolean {
  const info = readFileSync('/proc/self/mountinfo', 'utf8');
  return info.split('\n').some((l) => l.split(' ')[4] === path);
}
