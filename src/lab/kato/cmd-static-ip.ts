// kato op static_ip: prompts (IP, netmask, gateway, DNS servers, DNS search domains) or 3.2+ flags; writes
// /etc/network/interfaces and, with --restart-network, really moves the node to the new address.
import { existsSync, readFileSync } from 'node:fs';
import { flag, value, type Parsed } from './args.js';
import { migrateIps } from './cmd-node.js';
import type { Ctx } from './ctx.js';
import { KatoError } from './errors.js';
import { checkHostname } from './hosts.js';
import {
  checkStaticIp,
  interfacesFile,
  maskOf,
  prefixOf,
  readStatic,
  splitList,
  toInt,
  type StaticIp,
} from './interfaces.js';
import { PATHS } from './node.js';
import { asRoot, writeSystemFile } from './sudo.js';

const FLAGS = ['ip', 'netmask', 'gateway', 'dns-nameservers', 'dns-search-domains'];

/**
 * The five prompts in the documented order (kato.md section 2.10): IP, netmask, gateway, DNS name servers,
 * DNS search domains. Each answer is checked when it is given: an answer that is not what the question
 * asks for (or no answer at all) fails at once, before anything is written.
 */
async function askAll(ctx: Ctx, d: StaticIp): Promise<StaticIp> {
  const sep = ctx.flavor.v3 ? 'space' : 'comma';
  const ask = async (q: string, dflt: string, check: (v: string) => string | undefined) => {
    const a = await ctx.prompt.ask(`${q} [${dflt}]: `);
    if (a === null) throw new KatoError(`no answer to "${q}"`, 'nothing was changed');
    const v = a.trim() || dflt;
    const bad = check(v);
    if (bad) throw new KatoError(`${q}: ${bad}`, 'nothing was changed');
    return v;
  };
  const address = (what: string) => (v: string) =>
    toInt(v) === undefined ? `"${v}" is not a valid ${what}` : undefined;
  const list = (what: string, each?: (x: string) => boolean) => (v: string) => {
    const bad = splitList(v).find((x) => (each ? !each(x) : false));
    return bad ? `"${bad}" is not a valid ${what}` : undefined;
  };
  const ip = await ask('IP address', d.ip, address('IP address'));
  const netmask = await ask('Netmask', d.netmask, (v) =>
    prefixOf(v) === undefined ? `"${v}" is not a valid netmask` : undefined,
  );
  const gateway = await ask('Gateway', d.gateway, address('gateway address'));
  const dns = await ask(
    `DNS name servers (optional, ${sep}-separated)`,
    d.dnsNameservers.join(ctx.flavor.v3 ? ' ' : ','),
    list('name server address', (x) => toInt(x) !== undefined),
  );
  const search = await ask(
    `DNS search domains (optional, ${sep}-separated)`,
    d.dnsSearch.join(ctx.flavor.v3 ? ' ' : ','),
    list('search domain', (x) => checkHostname(x) === undefined),
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
  // Then the sudo password, to write the file (kato.md section 2.10).
  await writeSystemFile(ctx, PATHS.interfaces, interfacesFile(s));
  ctx.out(`Wrote ${PATHS.interfaces}: ${s.iface} ${s.ip} netmask ${s.netmask} gateway ${s.gateway}\n`);
  const oldIp = ctx.ip;
  if (flag(p, 'restart-network')) {
    await asRoot(ctx, 'restart networking', [
      '/home/stackato/bin/kato',
      '__move-address',
      s.iface,
      s.ip,
      s.netmask,
      s.gateway,
      oldIp,
    ]);
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
