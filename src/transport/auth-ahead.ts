// Authentication without waiting for the service accept: the first auth request goes right behind the service request.
import type { Client } from 'ssh2';
import { internalsOf } from './ssh2-internals.js';

/**
 * ssh2 asks for the `ssh-userauth` service and starts authenticating only when the server says
 * yes: a round trip per connection in which nothing else happens (a server refuses that service
 * only by disconnecting). The server handles its packets in order, so the first auth request can
 * follow the service request at once. It goes when the server's EXT_INFO has come (RFC 8308: the
 * packet right after the server's first NEWKEYS, in the same flight as the key exchange's reply),
 * since that names the signature algorithms an RSA key must choose from; the service accept that
 * follows is then passed over. A server that sends no EXT_INFO (older than OpenSSH 7.2, say) is
 * asked as before. Reaches into ssh2's protocol object, which is not public API: when it is not
 * there, nothing changes, and the transport's round-trip test says so.
 */
export function authenticateAhead(client: Client): boolean {
  const proto = internalsOf(client)._protocol;
  const handlers = proto?._handlers;
  const accept = handlers?.SERVICE_ACCEPT;
  const extInfo = handlers?.EXT_INFO;
  const service = proto?.service;
  if (!proto || !handlers || typeof accept !== 'function' || typeof extInfo !== 'function') return false;
  if (typeof service !== 'function') return false;
  let requested = false;
  let state: 'waiting' | 'ahead' | 'done' = 'waiting';
  proto.service = (name: string) => {
    service.call(proto, name);
    if (name === 'ssh-userauth') requested = true;
  };
  handlers.EXT_INFO = (p, ...rest) => {
    extInfo(p, ...rest);
    // The first one, with the service asked for: a later one (after auth, RFC 8308 §2.4) changes nothing here.
    if (state !== 'waiting' || !requested) return;
    state = 'ahead';
    accept(p, 'ssh-userauth');
  };
  handlers.SERVICE_ACCEPT = (p, name, ...rest) => {
    if (state === 'ahead' && name === 'ssh-userauth') {
      state = 'done';
      return;
    }
    state = 'done';
    accept(p, name, ...rest);
  };
  return true;
}
