// /etc/network/interfaces for `kato op static_ip`: address checks, network and broadcast, the stanza.

export interface StaticIp {
  iface: string;
  ip: string;
  netmask: string;
  gateway: string;
  dnsNameservers: string[];
  dnsSearch: string[];
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

export function toInt(ip: string): number | undefined {
  const m = IPV4.exec(ip);
  if (!m) return undefined;
  const o = m.slice(1).map(Number);
  if (o.some((x) => x > 255)) return undefined;
  return ((o[0]! << 24) | (o[1]! << 16) | (o[2]! << 8) | o[3]!) >>> 0;
}

export const fromInt = (n: number): string => [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');

/** Prefix length of a dotted netmask, or undefined when it is not one (e.g. 255.0.255.0). */
export function prefixOf(mask: string): number | undefined {
  const n = toInt(mask);
  if (n === undefined) return undefined;
  const bits = n.toString(2).padStart(32, '0');
  return /^1*0*$/.test(bits) ? (bits.indexOf('0') === -1 ? 32 : bits.indexOf('0')) : undefined;
}

export const maskOf = (prefix: number): string => fromInt(prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0);

export function networkOf(ip: string, mask: string): string {
  return fromInt((toInt(ip)! & toInt(mask)!) >>> 0);
}

export function broadcastOf(ip: string, mask: string): string {
  return fromInt(((toInt(ip)! & toInt(mask)!) | (~toInt(mask)! >>> 0)) >>> 0);
}

/** Why the settings cannot be used, or undefined (kato checks them before writing anything). */
export function checkStaticIp(s: StaticIp): string | undefined {
  if (!/^[a-z][a-z0-9.:_-]{0,14}$/i.test(s.iface)) return `"${s.iface}" is not an interface name`;
  if (toInt(s.ip) === undefined) return `"${s.ip}" is not a valid IP address`;
  const prefix = prefixOf(s.netmask);
  if (prefix === undefined || prefix < 1 || prefix > 30) return `"${s.netmask}" is not a valid netmask`;
  if (toInt(s.gateway) === undefined) return `"${s.gateway}" is not a valid gateway address`;
  if (s.ip === networkOf(s.ip, s.netmask) || s.ip === broadcastOf(s.ip, s.netmask))
    return `${s.ip} is the network or broadcast address of its subnet`;
  if (networkOf(s.gateway, s.netmask) !== networkOf(s.ip, s.netmask))
    return `the gateway ${s.gateway} is not in the network ${networkOf(s.ip, s.netmask)}/${prefix}`;
  if (s.gateway === s.ip) return "the gateway cannot be the node's own address";
  const bad = s.dnsNameservers.find((d) => toInt(d) === undefined);
  if (bad) return `"${bad}" is not a valid name server address`;
  return undefined;
}

/** DNS lists: 2.10 documents commas, 3.x spaces; both are accepted. */
export const splitList = (s: string): string[] => s.split(/[\s,]+/).filter(Boolean);

export function interfacesFile(s: StaticIp): string {
  return [
    '# Written by kato op static_ip',
    'auto lo',
    'iface lo inet loopback',
    '',
    `auto ${s.iface}`,
    `iface ${s.iface} inet static`,
    `    address ${s.ip}`,
    `    netmask ${s.netmask}`,
    `    network ${networkOf(s.ip, s.netmask)}`,
    `    broadcast ${broadcastOf(s.ip, s.netmask)}`,
    `    gateway ${s.gateway}`,
    ...(s.dnsNameservers.length ? [`    dns-nameservers ${s.dnsNameservers.join(' ')}`] : []),
    ...(s.dnsSearch.length ? [`    dns-search ${s.dnsSearch.join(' ')}`] : []),
    '',
  ].join('\n');
}

/** The static settings already in the file for `iface` (the defaults offered by the prompts). */
export function readStatic(text: string, iface: string): Partial<StaticIp> {
  const out: Partial<StaticIp> = {};
  let inside = false;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (/^iface\s/.test(line)) {
      inside = line.startsWith(`iface ${iface} `);
      continue;
    }
    if (!inside || !line) continue;
    const [key, ...rest] = line.split(/\s+/);
    const v = rest.join(' ');
    if (key === 'address') out.ip = v;
    else if (key === 'netmask') out.netmask = v;
    else if (key === 'gateway') out.gateway = v;
    else if (key === 'dns-nameservers') out.dnsNameservers = splitList(v);
    else if (key === 'dns-search') out.dnsSearch = splitList(v);
  }
  return out;
}
