// Moving eth0 to a static address inside the node's namespace: shared by `kato op static_ip --restart-network`
// (3.x) and the node's /etc/init.d/networking (2.x docs: `sudo /etc/init.d/networking restart`).
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KatoError } from './errors.js';
import { prefixOf } from './interfaces.js';
import { PATHS, writeJson, type Identity } from './node.js';

export interface Address {
  iface: string;
  ip: string;
  netmask: string;
  gateway?: string;
}

/** Gives `iface` exactly this address (and the default route), and tells the lab where the node now is. */
export function moveAddress(id: Identity, s: Address, oldIp: string): void {
  const prefix = prefixOf(s.netmask);
  if (prefix === undefined) throw new KatoError(`"${s.netmask}" is not a valid netmask`);
  const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    // Removing a primary address also removes its secondaries, so flush first, then add.
    ip('-4', 'addr', 'flush', 'dev', s.iface, 'scope', 'global');
    ip('addr', 'add', `${s.ip}/${prefix}`, 'dev', s.iface);
    ip('link', 'set', s.iface, 'up');
  } catch (e) {
    throw new KatoError(
      `could not change the address of ${s.iface}: ${String((e as { stderr?: Buffer }).stderr ?? e).trim()}`,
    );
  }
  if (s.gateway) {
    try {
      ip('route', 'replace', 'default', 'via', s.gateway, 'dev', s.iface);
    } catch {
      /* the lab has no router: no default route */
    }
  }
  if (s.iface !== 'eth0') return;
  id.ip = s.ip;
  id.prefixLen = prefix;
  writeJson(PATHS.identity, id);
  // So ssh with the lab's known_hosts still recognises the node at its new address.
  const pub = join(id.labDir, 'nodes', id.name, 'ssh_host_ed25519_key.pub');
  if (oldIp !== s.ip && existsSync(pub)) {
    const [type, key] = readFileSync(pub, 'utf8').trim().split(' ');
    appendFileSync(join(id.labDir, 'known_hosts'), `${s.ip} ${type} ${key}\n`);
  }
}
