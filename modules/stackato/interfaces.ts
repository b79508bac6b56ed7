// Reading and describing the static stanza of /etc/network/interfaces.

export interface StaticConfig {
  address?: string;
  netmask?: string;
  gateway?: string;
  dnsNameservers?: string;
  dnsSearch?: string;
}

/** The `iface IFACE inet static` stanza's settings, or null when the interface is not static. */
export function staticStanza(text: string | null, iface: string): StaticConfig | null {
  if (!text) return null;
  const lines = text.split('\n');
  const start = lines.findIndex((l) =>
    new RegExp(`^\\s*iface\\s+${iface.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s+inet\\s+static\\b`).test(l),
  );
  if (start === -1) return null;
  const conf: StaticConfig = {};
  for (const line of lines.slice(start + 1)) {
    if (/^\s*(iface|auto|allow-|mapping|source)\b/.test(line)) break;
    const m = /^\s*([a-z-]+)\s+(.+?)\s*$/.exec(line);
    if (!m) continue;
    const [, key, value] = m;
    if (key === 'address') conf.address = value!.replace(/\/\d+$/, '');
    else if (key === 'netmask') conf.netmask = value;
    else if (key === 'gateway') conf.gateway = value;
    else if (key === 'dns-nameservers') conf.dnsNameservers = value;
    else if (key === 'dns-search') conf.dnsSearch = value;
  }
  return conf;
}
