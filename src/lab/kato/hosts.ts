// /etc/hosts as kato keeps it: the node's own name, and the core's private IP mapped to <host> and api.<host>.

export interface HostsInput {
  ip: string;
  hostname: string;
  /** In a cluster (core or attached): the core's address and the API endpoint (api.<cluster fqdn>). */
  core?: { ip: string; endpoint: string };
  /** Addresses whose lines kato wrote before (an old own IP or old core IP): dropped. */
  forget?: readonly string[];
}

const endpointHost = (endpoint: string): string => endpoint.replace(/^api\./, '');

export function renderHosts(existing: string, h: HostsInput): string {
  const managed = new Set([h.ip, ...(h.core ? [h.core.ip] : []), ...(h.forget ?? [])]);
  const kept = existing.split('\n').filter((l) => {
    const first = l.trim().split(/\s+/)[0] ?? '';
    return l.trim() !== '' && !managed.has(first) && !(first === '127.0.1.1');
  });
  if (!kept.some((l) => /^127\.0\.0\.1\s/.test(l))) kept.unshift('127.0.0.1\tlocalhost');
  const names = (ip: string, ...n: string[]) => `${ip}\t${[...new Set(n.filter(Boolean))].join(' ')}`;
  const lines = [...kept];
  if (h.core && h.core.ip === h.ip) {
    lines.push(names(h.ip, h.hostname, endpointHost(h.core.endpoint), h.core.endpoint));
  } else {
    lines.push(names(h.ip, h.hostname));
    if (h.core) lines.push(names(h.core.ip, endpointHost(h.core.endpoint), h.core.endpoint));
  }
  return `${lines.join('\n')}\n`;
}

/** Only letters, digits, dots and dashes; labels of 1 to 63 characters. */
export function checkHostname(name: string): string | undefined {
  if (name.length > 253) return 'a hostname has at most 253 characters';
  const labels = name.split('.');
  if (labels.some((l) => !/^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(l))) {
    return `"${name}" is not a valid hostname (letters, digits and dashes, separated by dots)`;
  }
  return undefined;
}
