// What stackplay reads of ssh2's client beyond its public API, in one place: every use checks each part is there.
import type { Client } from 'ssh2';

/** One of ssh2's handlers for an incoming message: the protocol object, then the message's fields. */
export type Handler = (proto: unknown, ...args: unknown[]) => void;

/** The parts of ssh2's Protocol (lib/protocol/Protocol.js) that the round-trip savings hook into. */
export interface Ssh2Protocol {
  _handlers?: Record<string, Handler | undefined>;
  _authsQueue?: unknown[];
  service?: (name: string) => void;
  requestSuccess?: () => void;
  authPK?(username: string, key: unknown, keyAlgo?: unknown, cbSign?: unknown): void;
  /** CHANNEL_REQUEST "exec" to the server's channel `chan`. */
  exec?(chan: number, cmd: string, wantReply: boolean): void;
}

/** The parts of ssh2's Client (lib/client.js) read besides its protocol. */
export interface Ssh2Client {
  _protocol?: Ssh2Protocol;
  /** The server's software version from its ident, e.g. OpenSSH_9.2p1. */
  _remoteVer?: string;
  _chanMgr?: { _channels?: Record<number, unknown>; remove?: (id: number) => void };
  /** The connect options as ssh2 keeps them (agent forwarding sends a request before a session's exec). */
  config?: { allowAgentFwd?: boolean };
}

/** `client`'s internals, each part possibly missing (another ssh2 version). */
export const internalsOf = (client: Client): Ssh2Client => client as unknown as Ssh2Client;
