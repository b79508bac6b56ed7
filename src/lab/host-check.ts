// What the lab needs from this machine (Linux, root, a few packages), checked before anything is made.
import { existsSync } from 'node:fs';
import { LabError } from './run.js';

const TOOLS: Record<string, string> = {
  ip: 'iproute2',
  unshare: 'util-linux',
  nsenter: 'util-linux',
  pivot_root: 'util-linux',
  sshd: 'openssh-server',
  'ssh-keygen': 'openssh-client',
  socat: 'socat',
  'redis-server': 'redis-server',
  nginx: 'nginx',
  openssl: 'openssl',
};
const DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

export const findTool = (name: string): string | undefined =>
  DIRS.map((d) => `${d}/${name}`).find((p) => existsSync(p));

export async function checkHost(): Promise<void> {
  if (process.platform !== 'linux') throw new LabError('the lab needs Linux (network, UTS and mount namespaces)');
  if (process.getuid?.() !== 0)
    throw new LabError('the lab needs root (it creates namespaces, links and mounts)', 'run it with sudo');
  const missing = Object.keys(TOOLS).filter((t) => !findTool(t));
  if (missing.length) {
    const pkgs = [...new Set(missing.map((m) => TOOLS[m]))].join(' ');
    throw new LabError(`the lab needs ${missing.join(', ')}`, `apt-get install ${pkgs}`);
  }
}
