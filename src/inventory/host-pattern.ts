// A host entry as written in an inventory (name, range, host:port, IPv6) into host names and a port.
import { diag, type Diagnostic, type Span } from '../errors.js';
import { expandHostRange } from './range.js';

export interface HostEntry {
  hosts: string[];
  port?: number;
  diagnostics: Diagnostic[];
}

const NAME_HINT = 'a host is a name or address, optionally with a range and a port: web[01:20].example.com:2222';

/** An IPv6 address, maybe with a zone (fe80::1%eth0). */
const isIpv6 = (s: string): boolean => /^[0-9a-fA-F:.]+(%[\w.-]+)?$/.test(s) && (s.match(/:/g)?.length ?? 0) >= 2;

function checkPort(text: string, entry: string, at?: Span): { port?: number; error?: Diagnostic } {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port < 1 || port > 65535) {
    return {
      error: diag(
        'E_INVENTORY_HOST',
        `bad port "${text}" in host "${entry}"`,
        at,
        'a port is a number from 1 to 65535',
      ),
    };
  }
  return { port };
}

/** Parses `web[01:03]:2222`, `[2001:db8::1]:22`, `2001:db8::1`, `db1.example.com`. */
export function parseHostEntry(entry: string, at?: Span): HostEntry {
  const bracketed = /^\[([0-9a-fA-F:.]+)\](?::(.*))?$/.exec(entry);
  if (bracketed && isIpv6(bracketed[1]!)) {
    if (bracketed[2] === undefined) return { hosts: [bracketed[1]!], diagnostics: [] };
    const p = checkPort(bracketed[2], entry, at);
    return p.error ? { hosts: [], diagnostics: [p.error] } : { hosts: [bracketed[1]!], port: p.port!, diagnostics: [] };
  }
  if (isIpv6(entry)) return { hosts: [entry], diagnostics: [] };

  // The port is after the last ':' outside brackets (range bodies contain ':' too).
  let depth = 0;
  let colon = -1;
  for (let i = 0; i < entry.length; i++) {
    const c = entry[i];
    if (c === '[') depth++;
    else if (c === ']') depth--;
    else if (c === ':' && depth === 0) colon = i;
  }
  let name = entry;
  let port: number | undefined;
  if (colon >= 0) {
    name = entry.slice(0, colon);
    const p = checkPort(entry.slice(colon + 1), entry, at);
    if (p.error) return { hosts: [], diagnostics: [p.error] };
    port = p.port;
  }
  if (!name || !/^[\p{L}\p{N}\p{M}_.\-[\]:%]+$/u.test(name)) {
    return { hosts: [], diagnostics: [diag('E_INVENTORY_HOST', `"${entry}" is not a valid host name`, at, NAME_HINT)] };
  }
  const { hosts, diagnostics } = expandHostRange(name, at);
  return port === undefined ? { hosts, diagnostics } : { hosts, port, diagnostics };
}
