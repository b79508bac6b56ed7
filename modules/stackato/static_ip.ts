// static_ip: pin a node's address with `kato op static_ip` (writes /etc/network/interfaces).
import { defineModule, exec, reconnect, semver, kato, sh, z, type Step } from '../../src/sdk.js';
import { argument, ipv4 } from '../common/params.js';
import { katoSeries, katoVersion } from '../facts/kato.js';
import { staticStanza } from './interfaces.js';

const doc = `Params: address, netmask, gateway, dns_nameservers, dns_search_domains, interface (eth0),
restart_network (default true: apply now; kato's own default is not to).
3.2 and later use the non-interactive flags; older kato is answered at its prompts in the
documented order (address, netmask, gateway, name servers, search domains). When the address
differs from the one stackplay connects to, the plan ends with a reconnect to the new address.
Idempotent: reads the interface's static stanza.

Example:
  - name: static_ip example 1
    static_ip: { address: 10.77.0.11, netmask: 255.255.255.0, gateway: 10.77.0.1 }`;

export const staticIp = defineModule({
  name: 'static_ip',
  summary: 'Give the node a static IP address with kato op static_ip',
  doc,
  params: z.strictObject({
    address: ipv4.describe('the static address'),
    netmask: ipv4.default('255.255.255.0').describe('netmask'),
    gateway: ipv4.describe('default gateway'),
    dns_nameservers: z.array(ipv4).default([]).describe('DNS servers'),
    dns_search_domains: z.array(argument('a search domain')).default([]).describe('DNS search domains'),
    interface: argument('interface').default('eth0').describe('network interface'),
    restart_network: z.boolean().default(true).describe('apply the address now (--restart-network)'),
  }),
  gather: async (h, p) => ({
    version: await h.fact(katoVersion),
    current: staticStanza(await h.read('/etc/network/interfaces'), p.interface),
    connectedTo: h.address,
  }),
  plan: ({ version, current, connectedTo }, p) => {
    const series = katoSeries(version);
    if (typeof series !== 'string') return { steps: [], fail: series.refuse };
    const sep = series === '2.x' ? ',' : ' ';
    const dns = p.dns_nameservers.join(sep);
    const search = p.dns_search_domains.join(sep);
    const same =
      current?.address === p.address &&
      current.netmask === p.netmask &&
      current.gateway === p.gateway &&
      (current.dnsNameservers ?? '') === p.dns_nameservers.join(' ') &&
      (current.dnsSearch ?? '') === p.dns_search_domains.join(' ');
    if (same) return { steps: [], note: `${p.interface} is already static at ${p.address}` };
    const title = `~ ${p.interface}: ${current?.address ? `static ${current.address}` : 'dhcp'} -> static ${p.address}/${p.netmask} via ${p.gateway}`;
    const steps: Step[] = [];
    if (semver.gte(version, '3.2.0')) {
      steps.push(
        exec(
          title,
          kato`kato op static_ip --interface=${p.interface} --ip=${p.address} --netmask=${p.netmask} --gateway=${p.gateway} --dns-nameservers=${dns} --dns-search-domains=${search} ${p.restart_network ? '--restart-network' : '--no-restart'}`,
        ),
      );
    } else {
      const answers = `${[p.address, p.netmask, p.gateway, dns, search].join('\n')}\n`;
      steps.push(exec(title, kato`kato op static_ip`, { stdin: answers }));
      if (p.restart_network)
        steps.push(exec(`restart networking on ${p.interface}`, sh`/etc/init.d/networking restart`));
    }
    if (p.restart_network && p.address !== connectedTo) steps.push(reconnect(p.address, 120));
    return { steps };
  },
});
