// The node's /etc/init.d/networking (`kato __networking ACTION`): `restart`/`start` bring eth0 to the static
// stanza of /etc/network/interfaces, as ifupdown would; 2.x's `kato op static_ip` leaves that to this script.
import { existsSync, readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { KatoError } from './errors.js';
import { prefixOf, readStatic, toInt } from './interfaces.js';
import { moveAddress } from './network.js';
import { loadIdentity, ownIp, PATHS } from './node.js';

export const INIT_SCRIPT = '/etc/init.d/networking';
const USAGE = `Usage: ${INIT_SCRIPT} {start|stop|reload|restart|force-reload|status}\n`;

/** How eth0 is configured in the file: 'static', 'dhcp', ... or undefined when it has no stanza. */
export function methodOf(text: string, iface: string): string | undefined {
  const m = new RegExp(`^\\s*iface\\s+${iface.replace(/\./g, '\\.')}\\s+inet\\s+(\\S+)`, 'm').exec(text);
  return m?.[1];
}

/** Applies eth0's stanza; returns what was done, in the words of the init script's output. */
function bringUp(): string {
  const text = existsSync(PATHS.interfaces) ? readFileSync(PATHS.interfaces, 'utf8') : '';
  const method = methodOf(text, 'eth0');
  const id = loadIdentity();
  const current = ownIp(id);
  if (method !== 'static')
    return `eth0 is ${method ?? 'not configured'} in ${PATHS.interfaces}: the lab has no DHCP server, eth0 keeps ${current}`;
  const s = readStatic(text, 'eth0');
  if (!s.ip || toInt(s.ip) === undefined) throw new KatoError(`${PATHS.interfaces}: eth0 has no valid address`);
  if (!s.netmask || prefixOf(s.netmask) === undefined)
    throw new KatoError(`${PATHS.interfaces}: eth0 has no valid netmask`);
  moveAddress(
    id,
    { iface: 'eth0', ip: s.ip, netmask: s.netmask, ...(s.gateway ? { gateway: s.gateway } : {}) },
    current,
  );
  return `eth0 is now ${s.ip} netmask ${s.netmask}${s.gateway ? ` gateway ${s.gateway}` : ''}`;
}

function status(): string {
  const lines = Object.entries(networkInterfaces()).flatMap(([name, as]) =>
    (as ?? []).filter((a) => a.family === 'IPv4').map((a) => `${name}: ${a.cidr ?? a.address}`),
  );
  return lines.join('\n');
}

/** Runs the init script's action; returns its exit code. */
export function networking(argv: readonly string[], out: (s: string) => void, err: (s: string) => void): number {
  const action = argv[0];
  try {
    switch (action) {
      case 'start':
      case 'restart':
      case 'reload':
      case 'force-reload':
        out(`Reconfiguring network interfaces... ${bringUp()}\n`);
        return 0;
      case 'stop':
        // A real stop takes eth0 down; on the lab that would strand the node until `lab reboot`.
        out('Deconfiguring network interfaces... skipped on the lab (eth0 stays up)\n');
        return 0;
      case 'status':
        out(`${status()}\n`);
        return 0;
      default:
        err(USAGE);
        return 1;
    }
  } catch (e) {
    err(`${INIT_SCRIPT}: ${(e as Error).message}\n`);
    return 1;
  }
}
