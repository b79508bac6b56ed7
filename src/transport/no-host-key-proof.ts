// The server's list of its other host keys (hostkeys-00@openssh.com) is taken as said, without asking it to prove them.
import type { Client } from 'ssh2';
import { internalsOf } from './ssh2-internals.js';

/**
 * OpenSSH sends every host key it has once authentication succeeds, for clients that update
 * known_hosts from them (ssh's UpdateHostKeys). ssh2 then always asks the server to prove each one:
 * a signature per key on the server, and a request that goes out right while the command shell's
 * channel opens. stackplay never writes those keys anywhere (known_hosts learns a key only by
 * accept-new, from the key the handshake checked), so it answers as ssh with UpdateHostKeys=no does:
 * it takes note of nothing. Reaches into ssh2's protocol object, which is not public API: when it is
 * not there, ssh2 goes on proving, which changes nothing but the cost.
 */
export function skipHostKeyProof(client: Client): boolean {
  const proto = internalsOf(client)._protocol;
  const handlers = proto?._handlers;
  const global = handlers?.GLOBAL_REQUEST;
  if (!proto || !handlers || typeof global !== 'function' || typeof proto.requestSuccess !== 'function') return false;
  handlers.GLOBAL_REQUEST = (p, name, wantReply, ...rest) => {
    if (name !== 'hostkeys-00@openssh.com') {
      global(p, name, wantReply, ...rest);
      return;
    }
    if (wantReply) proto.requestSuccess!();
  };
  return true;
}
