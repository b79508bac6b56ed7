// The command shell's session channel and its exec request sent right behind the signed public key, so the shell runs once authentication says yes.
import type { Client, ClientChannel } from 'ssh2';
import { internalsOf } from './ssh2-internals.js';
type ExecCallback = (err: Error | undefined, channel: ClientChannel) => void;

/** How the shell's channel is had: the one asked for ahead when it is for this command, else a new one. */
export type ExecChannel = (text: string, cb: ExecCallback) => void;

/** The number OpenSSH gives the first channel of a connection. */
const FIRST_CHANNEL = 0;
const NOTHING_HELD = (): void => undefined;

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
 *
 * The exec request goes too, right behind the channel's: a request names the server's number for
 * the channel, known only from its answer, but OpenSSH numbers a connection's channels from 0, the
 * first free slot (channels.c channel_new), and nothing opens one before the first session. So the
 * shell starts with authentication instead of one round trip after it. A wrong number would make
 * OpenSSH disconnect (serverloop.c: unknown channel); ssh2's own exec request, once it has the
 * server's number, is then not sent again (0: it went already; another: it goes, too late). Behind
 * a refused key OpenSSH answers it UNIMPLEMENTED as well, and it is asked again with the channel.
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
  /** The server's answer when it refused the channel asked for ahead while its exec request had gone too. */
  #refused: Error | undefined;
  /** Put back ssh2's own exec request (which the one sent ahead stands in for), if it is still held. */
  #release: () => void = NOTHING_HELD;

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
    // Only behind a channel request that went (ssh2 may refuse one at once: no free channel) and
    // that ssh2 follows with nothing but its exec (an agent forwarding request would come first).
    if (id !== undefined && this.#result === undefined && c.config?.allowAgentFwd !== true) this.#execAhead(c);
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
        this.#release();
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

  /** Sends the exec request for the server's channel 0 now; ssh2's own, once the channel is confirmed as 0, is not sent. */
  #execAhead(c: ReturnType<typeof internalsOf>): void {
    const protocol = c._protocol;
    const exec = protocol?.exec;
    if (!protocol || typeof exec !== 'function') return;
    const text = this.#text;
    exec.call(protocol, FIRST_CHANNEL, text, true);
    const release = () => {
      if (protocol.exec === held) protocol.exec = exec;
      this.#release = NOTHING_HELD;
    };
    // The first request for this text is ssh2's for this channel (no other channel is open before it).
    const held = (chan: number, cmd: string, wantReply: boolean): void => {
      if (cmd === text) release();
      if (cmd !== text || chan !== FIRST_CHANNEL) exec.call(protocol, chan, cmd, wantReply);
    };
    protocol.exec = held;
    this.#release = release;
  }

  #settle(r: { err: Error | undefined; channel: ClientChannel }): void {
    // Refused with the exec request on its way (MaxSessions 0, say): OpenSSH disconnects over that request, which names no channel.
    if (r.err && this.#release !== NOTHING_HELD) this.#refused = r.err;
    this.#release();
    const waiting = this.#waiting;
    this.#waiting = undefined;
    if (waiting) waiting(r.err, r.channel);
    else this.#result = r;
  }

  /** Why the server refused the channel asked for ahead with its exec request (the disconnect that follows is that request's). */
  refused(): Error | undefined {
    return this.#refused;
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
