// Opens one authenticated ssh2 Client: direct TCP, ProxyCommand or ProxyJump; host key checked; errors made readable.
import ssh2, { type Client, type ConnectConfig } from 'ssh2';
import type { Duplex } from 'node:stream';
import { HostError, HostKeyError, UnreachableError } from '../errors.js';
import {
  connectionOf,
  expandProxyCommand,
  jumpHostOf,
  type ConnectionDefaults,
  type HostConnection,
} from './connection.js';
import { formatSeconds } from './errors.js';
import { verifyHostKey, type HostKeyPolicy } from './host-key-policy.js';
import { knownKeyTypes } from './known-hosts.js';
import { spawnProxyCommand, type ProxyProcess } from './proxy-command.js';
import { signPublicKeyAtOnce } from './sign-at-once.js';
import { authenticateAhead } from './auth-ahead.js';
import { skipHostKeyProof } from './no-host-key-proof.js';
import { SessionAhead, type ExecChannel } from './session-ahead.js';
import { planAuth } from './ssh-auth.js';

export interface ClientOptions {
  /** The run's policy; a host's own StrictHostKeyChecking / UserKnownHostsFile override it. */
  hostKeys: HostKeyPolicy;
  connectTimeoutMs: number;
  keepaliveSec: number;
  keepaliveCountMax: number;
  signal?: AbortSignal;
  /** Used to resolve ProxyJump hops (their ssh config entries). */
  connectionDefaults?: ConnectionDefaults;
  /** A command to ask a session channel for ahead, behind the signed public key (session-ahead.ts). */
  execAhead?: string;
}

export interface OpenClient {
  client: Client;
  /** The host key the server proved it holds. */
  hostKey: Buffer;
  /** Runs a command on a session channel: the one asked for ahead (ClientOptions.execAhead) if it is for it. */
  exec: ExecChannel;
  /** Why the server refused the session channel asked for ahead, if it did (OpenSSH then disconnects: its exec request named no channel). */
  refusedAhead(): Error | undefined;
  /** Ends the client, the jump hosts and the proxy command. */
  close(): void;
}

const MAX_JUMPS = 8;

/** ssh2's host key algorithms in its default order; types known for the host are moved first, as ssh(1) does. */
const HOST_KEY_ALGORITHMS = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
];
const algorithmsFor = (keyType: string): string[] =>
  keyType === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [keyType];

function hostKeyOrder(conn: HostConnection, policy: HostKeyPolicy): string[] {
  const files = policy.writeFile ? [...policy.files, policy.writeFile] : policy.files;
  const preferred = knownKeyTypes(files, conn.address, conn.port)
    .flatMap(algorithmsFor)
    .filter((a) => HOST_KEY_ALGORITHMS.includes(a));
  return [...new Set([...preferred, ...HOST_KEY_ALGORITHMS])];
}

const endpoint = (c: HostConnection): string => `${c.address}:${c.port}`;

interface Route {
  sock?: Duplex;
  proxy?: ProxyProcess;
  jump?: OpenClient;
  via: string;
}

/** A forwarded TCP stream through an open client (ProxyJump). */
function forwardOut(jump: OpenClient, conn: HostConnection, jumpName: string): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    jump.client.forwardOut('127.0.0.1', 0, conn.address, conn.port, (err, stream) => {
      if (err)
        reject(
          new UnreachableError(conn.name, `jump host ${jumpName} could not reach ${endpoint(conn)}: ${err.message}`, {
            cause: err,
          }),
        );
      else resolve(stream);
    });
  });
}

async function routeTo(conn: HostConnection, o: ClientOptions, depth: number): Promise<Route> {
  if (conn.proxyCommand) {
    const proxy = spawnProxyCommand(expandProxyCommand(conn, conn.proxyCommand));
    return { sock: proxy.stream, proxy, via: ' (via ProxyCommand)' };
  }
  if (!conn.proxyJump) return { via: '' };
  if (depth >= MAX_JUMPS)
    throw new UnreachableError(
      conn.name,
      `too many ProxyJump hops (more than ${MAX_JUMPS}); does the ssh config loop?`,
    );
  const hops = conn.proxyJump
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean);
  const last = hops.pop()!;
  const jumpConn = connectionOf(jumpHostOf(last), o.connectionDefaults);
  if (hops.length > 0) {
    jumpConn.proxyJump = hops.join(',');
    delete jumpConn.proxyCommand;
  }
  // A jump host named only by ProxyJump has no key of its own in most setups: offer the target's keys too.
  jumpConn.keyFiles = [...new Set([...jumpConn.keyFiles, ...conn.keyFiles])];
  // A key pinned for the target says nothing about the jump host.
  const { pinned: _targetKey, ...jumpKeys } = o.hostKeys;
  let jump: OpenClient;
  try {
    // The session asked for ahead is the target's.
    const { execAhead: _ahead, ...jumpOptions } = o;
    jump = await openClient(jumpConn, { ...jumpOptions, hostKeys: jumpKeys }, depth + 1);
  } catch (e) {
    if (e instanceof HostKeyError) throw new HostKeyError(conn.name, `jump host ${last}: ${e.message}`, { cause: e });
    throw new UnreachableError(conn.name, `jump host ${last}: ${(e as Error).message}`, { cause: e });
  }
  try {
    return { sock: await forwardOut(jump, conn, last), jump, via: ` (via jump host ${last})` };
  } catch (e) {
    jump.close();
    throw e;
  }
}

const CONNECT_ERRORS: Record<string, (where: string, address: string) => string> = {
  ECONNREFUSED: (w) => `connection refused at ${w}`,
  ETIMEDOUT: (w) => `timed out connecting to ${w}`,
  EHOSTUNREACH: (w) => `no route to host ${w}`,
  ENETUNREACH: (w) => `network unreachable for ${w}`,
  ENOTFOUND: (_w, a) => `cannot resolve host name ${a}`,
  EAI_AGAIN: (_w, a) => `cannot resolve host name ${a} (temporary DNS failure)`,
  ECONNRESET: (w) => `connection reset by ${w}`,
};

/** Connects and authenticates; throws UnreachableError (HostKeyError for a refused host key). */
export async function openClient(conn: HostConnection, o: ClientOptions, depth = 0): Promise<OpenClient> {
  if (o.signal?.aborted) throw new HostError('E_INTERRUPTED', conn.name, 'interrupted before connecting');
  const route = await routeTo(conn, o, depth);
  const policy: HostKeyPolicy = {
    ...o.hostKeys,
    mode: conn.hostKeyChecking ?? o.hostKeys.mode,
    files: conn.knownHostsFiles ?? o.hostKeys.files,
  };
  const auth = planAuth(conn);
  const client = new ssh2.Client();
  const ahead = o.execAhead !== undefined ? new SessionAhead(client, o.execAhead) : undefined;
  let hostKey: Buffer | undefined;
  let keyError: HostKeyError | undefined;
  const where = `${endpoint(conn)}${route.via}`;
  const closeRoute = () => {
    route.proxy?.kill();
    route.jump?.close();
  };

  const config: ConnectConfig = {
    host: conn.address,
    port: conn.port,
    username: conn.user,
    readyTimeout: o.connectTimeoutMs,
    keepaliveInterval: o.keepaliveSec * 1000,
    keepaliveCountMax: o.keepaliveCountMax,
    authHandler: auth.handler,
    algorithms: {
      serverHostKey: hostKeyOrder(conn, policy) as NonNullable<ConnectConfig['algorithms']>['serverHostKey'],
    },
    hostVerifier: (key: Buffer) => {
      try {
        verifyHostKey(conn.name, conn.address, conn.port, key, policy);
        hostKey = key;
        return true;
      } catch (e) {
        keyError = e as HostKeyError;
        return false;
      }
    },
  };
  if (route.sock) config.sock = route.sock;

  const explain = (err: (Error & { level?: string; code?: string }) | undefined): UnreachableError => {
    if (keyError) return keyError;
    const proxyEnd = route.proxy?.exit();
    if (proxyEnd) {
      const how = proxyEnd.code !== null ? `exit ${proxyEnd.code}` : `signal ${proxyEnd.signal ?? '?'}`;
      const tail = route.proxy!.stderrTail();
      return new UnreachableError(
        conn.name,
        `ProxyCommand for ${endpoint(conn)} ended (${how}) before the SSH session was up${tail ? `: ${tail}` : ''}`,
        { cause: err },
      );
    }
    if (!err) return new UnreachableError(conn.name, `connection to ${where} closed before the SSH session was up`);
    if (err.level === 'client-timeout')
      return new UnreachableError(
        conn.name,
        `timed out after ${formatSeconds(o.connectTimeoutMs)} connecting to ${where}`,
        { cause: err },
      );
    if (err.level === 'client-authentication') {
      const tried = auth.tried.length ? auth.tried.join(', ') : 'no agent, key file or password was available';
      const notes = auth.notes.length ? `; ${auth.notes.join('; ')}` : '';
      return new UnreachableError(
        conn.name,
        `authentication failed for ${conn.user}@${where} (tried: ${tried})${notes}`,
        { cause: err },
      );
    }
    const known = err.code ? CONNECT_ERRORS[err.code] : undefined;
    return new UnreachableError(
      conn.name,
      known ? known(where, conn.address) : `cannot connect to ${where}: ${err.message}`,
      { cause: err },
    );
  };

  return new Promise<OpenClient>((resolve, reject) => {
    let settled = false;
    const fail = (e: Error) => {
      if (settled) return;
      settled = true;
      o.signal?.removeEventListener('abort', onAbort);
      client.destroy();
      closeRoute();
      reject(e);
    };
    /** A dropped stream may be the proxy command dying: give it a moment to end, so its stderr explains why. */
    const failFromSsh = async (err: (Error & { level?: string }) | undefined) => {
      if (settled) return;
      const proxy = route.proxy;
      if (proxy && !keyError && err?.level !== 'client-authentication' && err?.level !== 'client-timeout') {
        await Promise.race([proxy.ended(), new Promise((r) => setTimeout(r, 1000))]);
      }
      fail(explain(err));
    };
    const onAbort = () => fail(new HostError('E_INTERRUPTED', conn.name, `interrupted while connecting to ${where}`));
    o.signal?.addEventListener('abort', onAbort, { once: true });
    client.once('ready', () => {
      if (settled) return;
      settled = true;
      o.signal?.removeEventListener('abort', onAbort);
      client.on('close', closeRoute);
      resolve({
        client,
        hostKey: hostKey!,
        exec: ahead ? ahead.exec : (text, cb) => client.exec(text, cb),
        refusedAhead: () => ahead?.refused(),
        close: () => {
          client.end();
          closeRoute();
        },
      });
    });
    client.on('error', (err) => void failFromSsh(err));
    client.once('close', () => void failFromSsh(undefined));
    try {
      client.connect(config);
      signPublicKeyAtOnce(client, () => ahead?.signed());
      authenticateAhead(client);
      skipHostKeyProof(client);
    } catch (e) {
      fail(new UnreachableError(conn.name, `cannot connect to ${where}: ${(e as Error).message}`, { cause: e }));
      return;
    }
    // ssh2 owns the TCP socket only without a proxy; commands are small request/response exchanges.
    client.setNoDelay(true);
  });
}
