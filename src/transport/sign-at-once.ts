// Public-key authentication in one round trip: the signed request goes first (RFC 4252 §7 allows it) instead of ssh2's query then signature.
import type { Client } from 'ssh2';
import { internalsOf } from './ssh2-internals.js';

/** What ssh2's parsed private key offers (ssh2's ParsedKey, which its types do not export with sign's hash). */
interface SigningKey {
  isPrivateKey(): boolean;
  sign(data: Buffer, hash?: string): Buffer | Error;
}

type Sign = (buf: Buffer, cb: (signature: Buffer) => void) => void;
type AuthPK = (username: string, key: unknown, keyAlgo?: string | Sign, cbSign?: Sign) => void;

/** The hash an rsa-sha2 signature names; other key types carry their own (ssh2 picks the same way). */
const hashOf = (keyAlgo: string | undefined): string | undefined =>
  keyAlgo === 'rsa-sha2-256' ? 'sha256' : keyAlgo === 'rsa-sha2-512' ? 'sha512' : undefined;

const canSign = (key: unknown): key is SigningKey =>
  typeof (key as SigningKey | null)?.sign === 'function' && (key as SigningKey).isPrivateKey?.() === true;

/**
 * Makes `client`'s public-key attempts sign at once. ssh2 first asks whether the server would take
 * the key and signs only after its yes: one round trip more per connection, every time. A key the
 * server refuses costs a signature instead (a failure, and ssh2 goes on to its next key or method as
 * before). Agent keys keep ssh2's query (the agent signs). Reaches into ssh2's protocol object, which
 * is not public API: when it is not there (another ssh2), nothing changes, and the round-trip test
 * of the transport says so. `onSent` is called right after a signed request went out.
 */
export function signPublicKeyAtOnce(client: Client, onSent: () => void = () => {}): boolean {
  const proto = internalsOf(client)._protocol;
  const authPK = proto?.authPK as AuthPK | undefined;
  if (!proto || typeof authPK !== 'function') return false;
  const signing: AuthPK = (username, key, keyAlgo, cbSign) => {
    if (cbSign || typeof keyAlgo === 'function' || !canSign(key)) {
      authPK.call(proto, username, key, keyAlgo, cbSign);
      return;
    }
    authPK.call(proto, username, key, keyAlgo, (buf, cb) => {
      const signature = key.sign(buf, hashOf(keyAlgo));
      // ssh2's own signing path reports this as an error event and tries the next method;
      // an unsigned query is the same outcome one round trip later.
      if (signature instanceof Error) authPK.call(proto, username, key, keyAlgo);
      else {
        cb(signature);
        onSent();
      }
    });
  };
  proto.authPK = signing;
  return true;
}
