// The command shell's session channel asked for right behind the signed public key, so it is open once authentication says yes.
import type { Client, ClientChannel } from 'ssh2';
import { internalsOf } from './ssh2-internals.js';
type ExecCallback = (err: Error | undefined, channel: ClientChannel) => void;

/** How the shell's channel is had: the one asked for ahead when it is for this command, else a new one. */
export type ExecChannel = (text: string, cb: ExecCallback) => void;

/**
 * A session channel costs a round trip after authentication: ssh2 asks for it on 'ready'. RFC 4252
 * §5.1 says messages that follow the auth request which succeeds go to the service, so the channel
 * can be asked for right behind that request. Done only behind a signed public key (a request that
 * succeeds by itself) that is the only one the server has not answered yet, only with OpenSSH
 * (which answers a channel request during authentication with UNIMPLEMENTED and goes on; some other
 * servers disconnect) and only without compression (delayed zlib starts when the success is sent:
 * the request would go uncompressed into a compressed stream). Refused (the key was not taken): the
 * request is forgotten (OpenSSH answers it UNIMPLEMENTED, which ssh2 passes over) and the channel is
 * asked for again behind the next signed key, or once authentication succeeds; sshd logs that
 * request at INFO ("dispatch_protocol_error: type 90"). Agent keys are asked about before they sign
 * (ssh2's query): nothing goes behind them. The transport takes the channel at once (ssh.ts), so its
 * session is given back like the shell's when the server is short of sessions. Reaches into ssh2's
 * client, which is not public API: when it is not there, nothing is asked ahead, and the round-trip
 * test says so.
 */
export class SessionAhead {
  #client: Client;
  #text: string;
  #compressed = true;
  /** asked: behind a key not answered yet; accepted: the key was taken, the channel is the service's. */
  #state: 'idle' | 'asked' | 'accepted' | 'refused' = 'idle';
  #result: { err: Error | undefined; channel: ClientChannel } | undefined;
  #waiting: ExecCallback | undefined;
  #taken = false;

  constructor(client: Client, text: string) {
    this.#client = client;
    this.#text = text;
    client.once('handshake', (negotiated: { cs?: { compress?: string }; sc?: { compress?: string } }) => {
      this.#compressed = negotiated.cs?.compress !== 'none' || negotiated.sc?.compress !== 'none';
    });
  }

  /** Called right after the signed auth request went out. */
  signed(): void {
    if (this.#state !== 'idle') return;
    const c = internalsOf(this.#client);
    const handlers = c._protocol?._handlers;
    const queue = c._protocol?._authsQueue;
    const channels = c._chanMgr?._channels;
    const success = handlers?.USERAUTH_SUCCESS;
    const failure = handlers?.USERAUTH_FAILURE;
    if (this.#compressed || !/^OpenSSH_/.test(c._remoteVer ?? '') || !handlers || !channels) return;
    if (typeof success !== 'function' || typeof failure !== 'function' || typeof c._chanMgr?.remove !== 'function')
      return;
    if (queue?.length !== 1) return;
    const before = new Set(Object.keys(channels));
    try {
      this.#client.exec(this.#text, (err, channel) => this.#settle({ err, channel }));
    } catch {
      return;
    }
    this.#state = 'asked';
    const id = Object.keys(channels).find((k) => !before.has(k));
    const restore = () => {
      handlers.USERAUTH_SUCCESS = success;
      handlers.USERAUTH_FAILURE = failure;
    };
    handlers.USERAUTH_SUCCESS = (p, ...rest) => {
      restore();
      if (this.#state === 'asked') this.#state = 'accepted';
      success(p, ...rest);
    };
    handlers.USERAUTH_FAILURE = (p, ...rest) => {
      restore();
      if (this.#state === 'asked') {
        if (id !== undefined) c._chanMgr!.remove!(Number(id));
        const waiting = this.#waiting;
        this.#waiting = undefined;
        // The next signed key (or the same RSA key with another hash) may ask again, unless the shell waits already.
        this.#state = waiting ? 'refused' : 'idle';
        if (waiting) this.#client.exec(this.#text, waiting);
      }
      failure(p, ...rest);
    };
  }

  #settle(r: { err: Error | undefined; channel: ClientChannel }): void {
    const waiting = this.#waiting;
    this.#waiting = undefined;
    if (waiting) waiting(r.err, r.channel);
    else this.#result = r;
  }

  /** Runs `text` on a session channel: the one asked for ahead (once) when it was for this command, else a new one. */
  readonly exec: ExecChannel = (text, cb) => {
    const ahead = this.#state === 'asked' || this.#state === 'accepted';
    if (this.#taken || !ahead || text !== this.#text) {
      this.#client.exec(text, cb);
      return;
    }
    // Taken once: a later shell of this connection opens its own.
    this.#taken = true;
    const result = this.#result;
    this.#result = undefined;
    if (result) cb(result.err, result.channel);
    else this.#waiting = cb;
  };
}
