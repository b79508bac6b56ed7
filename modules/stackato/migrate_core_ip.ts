// migrate_core_ip: move one node to a new core IP: the core changes its own address, the others follow it.
import { defineModule, z, type HostView } from '../../src/sdk.js';
import { argument, ipv4 } from '../common/params.js';
import { katoConfigValue } from '../facts/kato-config.js';
import { katoInfo, katoSeries, katoVersion, type KatoInfo } from '../facts/kato.js';
import { nginxPool } from '../facts/nginx.js';
import { staticStanza } from './interfaces.js';
import { MBUS_KEYS, mbusKeysByHand } from './mbus-keys.js';
import { planCore } from './migrate-core.js';
import { planFollow } from './migrate-follow.js';

const doc = `Only the host given \`core: true\` moves its address; every other node follows the core and is
refused (nothing changed) when it is not attached to the core at old_ip (a micro cloud, or a node of
another core).
The core (it must be the core at old_ip: kato info's node and mbus IP): 3.2 and later run
\`kato op static_ip --restart-network\` with flags, which migrates the config itself; 3.0-3.1 answer its
prompts (kato migrates after them) and restart networking; 2.x answer the prompts, restart networking,
then run \`kato node migrate OLD NEW\` (address first, as the setup guide says). The DNS servers and
search domains are kept: read from the core's /etc/network/interfaces unless given. The change runs
detached (it cuts the SSH session); the engine reconnects to the new address, then waits until kato
info reports the new mbus IP and \`kato process ready all\` says READY. 3.0 to 3.4.1 then set the four
message-bus keys kato leaves to be fixed by hand (reference/kato.md 2.7).
The other nodes: 2.x \`kato node migrate OLD NEW\`; 3.6 \`kato node reattach NEW\`; 3.0-3.5
\`kato node attach -e ROLES NEW\` (a load balancer attaches with no roles and is set up again). A load
balancer's pool swaps the core's old address for the new one (\`kato node setup load_balancer IP...\`).
Idempotent: nothing to do once kato info reports the new addresses (and the keys and pool are right).
Use it through \`stackplay migrate\`, which surveys, orders, batches and verifies the nodes.

Example:
  - name: move the core to its new address
    migrate_core_ip: { core: true, old_ip: 10.77.0.11, new_ip: 10.77.0.50, netmask: 255.255.255.0, gateway: 10.77.0.1 }`;

const params = z.strictObject({
  old_ip: ipv4.describe('the core IP the cluster uses now'),
  new_ip: ipv4.describe('the core IP to move to'),
  core: z.boolean().default(false).describe('this host is the core: it changes its own address'),
  load_balancer: z
    .boolean()
    .default(false)
    .describe('this node is the load balancer (also when an interrupted re-attach dropped its role)'),
  netmask: ipv4.default('255.255.255.0').describe('netmask of the new core address'),
  gateway: ipv4.optional().describe('gateway of the new core address (core only)'),
  dns_nameservers: z.array(ipv4).optional().describe("DNS servers for the core (default: the core's current ones)"),
  dns_search_domains: z
    .array(argument('a search domain'))
    .optional()
    .describe("DNS search domains for the core (default: the core's current ones)"),
  interface: argument('interface').default('eth0').describe('the core interface that gets the new address'),
  timeout: z.number().int().positive().default(120).describe('seconds to wait for the core on its new address'),
});

async function mbusKeys(h: HostView, version: string, info: KatoInfo, newIp: string) {
  if (!mbusKeysByHand(version) || info.ip !== newIp) return undefined;
  const out: Record<string, unknown> = {};
  for (const k of MBUS_KEYS) out[`${k.component} ${k.path}`] = await h.fact(katoConfigValue, k.component, k.path);
  return out;
}

const words = (s: string | undefined): string[] => (s ? s.split(/[\s,]+/).filter(Boolean) : []);

export const migrateCoreIp = defineModule({
  name: 'migrate_core_ip',
  summary: 'Move a node to a new core IP (the core first, then every other node)',
  doc,
  params,
  gather: async (h, p) => {
    const version = await h.fact(katoVersion);
    const info = await h.fact(katoInfo);
    if (!p.core) return { version, info, pool: await h.fact(nginxPool) };
    const stanza = staticStanza(await h.read('/etc/network/interfaces'), p.interface);
    return {
      version,
      info,
      pool: [],
      dns: { servers: words(stanza?.dnsNameservers), search: words(stanza?.dnsSearch) },
      mbusKeys: await mbusKeys(h, version, info, p.new_ip),
    };
  },
  plan: (f, p) => {
    const series = katoSeries(f.version);
    if (typeof series !== 'string') return { steps: [], fail: series.refuse };
    if (!p.core) return planFollow({ ...f, series }, p);
    return planCore(
      { version: f.version, series, info: f.info, ...(f.mbusKeys ? { mbusKeys: f.mbusKeys } : {}) },
      {
        ...p,
        dns_nameservers: p.dns_nameservers ?? f.dns?.servers ?? [],
        dns_search_domains: p.dns_search_domains ?? f.dns?.search ?? [],
      },
    );
  },
});
