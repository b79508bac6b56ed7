// kato op static_ip: prompts (IP, netmask, gateway, DNS servers, DNS search domains) or 3.2+ flags; writes
// /etc/network/interfaces and, with --restart-network, really moves the node to the new address.
import { existsSync, readFileSync } from 'node:fs';
import { flag, value, type Parsed } from './args.js';
import { migrateIps } from './cmd-node.js';
import type { Ctx } from './ctx.js';
import { KatoError } from './errors.js';
import { checkStaticIp, interfacesFile, maskOf, readStatic, splitList, type StaticIp } from './interfaces.js';
import { moveAddress } from './network.js';
import { PATHS, writeText } from './node.js';

const FLAGS = ['ip', 'netmask', 'gateway', 'dns-nameservers', 'dns-search-domains'];

async function askAll(ctx: Ctx, d: StaticIp): Promise<StaticIp> {
  const sep = ctx.flavor.v3 ? 'space' : 'comma';
  const ask = async (q: string, dflt: string) => ((await ctx.prompt.ask(`${q} [${dflt}]: `)) ?? '').trim() || dflt;
  const ip = await ask('IP address', d.ip);
  const netmask = await ask('Netmask', d.netmask);
  const gateway = await ask('Gateway', d.gateway);
  const dns = await ask(
    `DNS name servers (optional, ${sep}-separated)`,
    d.dnsNameservers.join(ctx.flavor.v3 ? ' ' : ','),
  );
  const search = await ask(
    `DNS search domains (optional, ${sep}-separated)`,
    d.dnsSearch.join(ctx.flavor.v3 ? ' ' : ','),
  );
  return { iface: d.iface, ip, netmask, gateway, dnsNameservers: splitList(dns), dnsSearch: splitList(search) };
}

function fromFlags(p: Parsed, d: StaticIp): StaticIp {
  const dns = value(p, 'dns-nameservers');
  const search = value(p, 'dns-search-domains');
  return {
    iface: d.iface,
    ip: value(p, 'ip') ?? d.ip,
    netmask: value(p, 'netmask') ?? d.netmask,
    gateway: value(p, 'gateway') ?? d.gateway,
    dnsNameservers: dns === undefined ? d.dnsNameservers : splitList(dns),
    dnsSearch: search === undefined ? d.dnsSearch : splitList(search),
  };
}

export async function staticIp(ctx: Ctx, p: Parsed): Promise<void> {
  const iface = value(p, 'interface') ?? 'eth0';
  const file = existsSync(PATHS.interfaces) ? readFileSync(PATHS.interfaces, 'utf8') : '';
  const cur = readStatic(file, iface);
  const d: StaticIp = {
    iface,
    ip: iface === 'eth0' ? ctx.ip : (cur.ip ?? ''),
    netmask: cur.netmask ?? maskOf(ctx.id.prefixLen),
    gateway: cur.gateway ?? ctx.id.gateway,
    dnsNameservers: cur.dnsNameservers ?? [],
    dnsSearch: cur.dnsSearch ?? [],
  };
  const scripted = FLAGS.some((f) => value(p, f) !== undefined);
  const s = scripted ? fromFlags(p, d) : await askAll(ctx, d);
  const bad = checkStaticIp(s);
  if (bad) throw new KatoError(bad, 'nothing was changed');
  writeText(PATHS.interfaces, interfacesFile(s));
  ctx.out(`Wrote ${PATHS.interfaces}: ${s.iface} ${s.ip} netmask ${s.netmask} gateway ${s.gateway}\n`);
  const oldIp = ctx.ip;
  if (flag(p, 'restart-network')) {
    moveAddress(ctx.id, s, oldIp);
    if (s.iface === 'eth0') ctx.ip = s.ip;
    ctx.out(`Restarted networking: ${s.iface} is now ${s.ip}\n`);
  } else {
    ctx.out(
      'Networking was not restarted; the address changes after `sudo /etc/init.d/networking restart` or a reboot\n',
    );
  }
  // 3.x: a changed IP on a cluster node is migrated right away.
  if (s.ip !== oldIp && ctx.flavor.v3 && ctx.state.mode !== 'micro') {
    ctx.out(`Running kato node migrate ${oldIp} ${s.ip}\n`);
    await migrateIps(ctx, oldIp, s.ip, !flag(p, 'no-restart'));
  }
}
