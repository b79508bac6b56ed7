// Reaching inventory hosts: local or SSH per host, and a pool that keeps one connection per host for a run.
import type { ResolvedHost } from '../inventory/types.js';
import { HostError, HostKeyError, UnreachableError } from '../errors.js';
import { connectionOf, type ConnectionDefaults, type HostConnection } from './connection.js';
import { formatSeconds } from './errors.js';
import { localTransport } from './local.js';
import { connectSsh, SshTransport, type SshOptions } from './ssh.js';
import type { Transport } from './types.js';
import { Semaphore } from './semaphore.js';

export interface ConnectOptions extends SshOptions {
  /** Where the ssh config is and who the local user is (see connectionOf). */
  connectionDefaults?: ConnectionDefaults;
  /** Told when a host's connection had dropped since its last use and get() opened a new one. */
  onReconnect?: (host: string, why: string) => void;
  /**
   * How many connections the pool opens at once (default 8): below a stock sshd's MaxStartups 10:30:100,
   * which starts refusing unauthenticated connections at 10, should many hosts share one sshd or jump host.
   */
  handshakes?: number;
}

/** Concurrent connection attempts of one pool, unless ConnectOptions.handshakes says otherwise. */
export const DEFAULT_HANDSHAKES = 8;

/** Opens a transport to the host as its vars say: `local`, or SSH. Throws UnreachableError. */
export async function connectHost(
  host: ResolvedHost,
  o: ConnectOptions = {},
  override: { address?: string } = {},
): Promise<Transport> {
  // Resolved once at load time (run.ts); a host built elsewhere (tests, jump hosts) is resolved here.
  const conn: HostConnection = { ...(host.connection ?? connectionOf(host, o.connectionDefaults)) };
  if (override.address) conn.address = override.address;
  if (conn.kind === 'local' && !override.address) {
    return localTransport(host.name, o.commandTimeoutMs !== undefined ? { commandTimeoutMs: o.commandTimeoutMs } : {});
  }
  if (conn.kind === 'local') conn.kind = 'ssh';
  return connectSsh(conn, o);
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });

/**
 * One transport per host for a whole run: get() connects once (concurrent callers share the
 * attempt; a failed attempt is not cached), closeAll() ends them all. At most `handshakes`
 * attempts are under way at once; the others wait their turn in the order they were asked for.
 * warm() starts connecting hosts before their first task needs them. A connection that dropped
 * between two uses (the node rebooted, sshd restarted) is opened again by the next get(): nothing
 * ran on it in between, so nothing can have been cut short. A drop while a command runs is the
 * caller's to report (the host is unreachable), as its outcome is unknown.
 */
export class ConnectionPool {
  readonly #open = new Map<string, Promise<Transport>>();
  readonly #ready = new Map<string, Transport>();
  readonly #o: ConnectOptions;
  /** Counts closeAll() calls: a reconnect that outlived one closes what it opened. */
  #closings = 0;
  readonly #handshakes: Semaphore;
  /** Aborted by closeAll(): attempts still waiting for a handshake slot give up. */
  #waiting = new AbortController();
  /** Hosts whose attempt warm() started and no get() has taken yet. */
  readonly #unclaimed = new Set<string>();
  /** warm()'s failed attempts, kept for the host's next get() to report. */
  readonly #warmFailed = new Map<string, Promise<Transport>>();

  constructor(o: ConnectOptions = {}) {
    this.#o = o;
    this.#handshakes = new Semaphore(o.handshakes ?? DEFAULT_HANDSHAKES);
  }

  /**
   * Starts connecting every host not connected yet, in this order, `handshakes` at a time, while the
   * run goes on; a task's get() then takes the attempt under way. A failed attempt is kept for the
   * host's next get() (which reports it), so an unreachable host is tried once, not twice.
   */
  warm(hosts: Iterable<ResolvedHost>): void {
    for (const h of hosts) {
      if (this.#open.has(h.name)) continue;
      this.#unclaimed.add(h.name);
      void this.#get(h);
    }
  }

  get(host: ResolvedHost): Promise<Transport> {
    this.#unclaimed.delete(host.name);
    const failed = this.#warmFailed.get(host.name);
    if (failed) {
      this.#warmFailed.delete(host.name);
      return failed;
    }
    return this.#get(host);
  }

  #get(host: ResolvedHost): Promise<Transport> {
    let t = this.#open.get(host.name);
    const lost = this.#ready.get(host.name)?.lostReason?.();
    if (t && lost) {
      this.#forget(host.name);
      this.#o.onReconnect?.(host.name, lost.message);
      t = undefined;
    }
    if (!t) {
      const attempt = this.#connect(host);
      t = attempt;
      this.#open.set(host.name, attempt);
      attempt.then(
        (x) => {
          if (this.#open.get(host.name) === attempt) this.#ready.set(host.name, x);
        },
        () => {
          if (this.#open.get(host.name) !== attempt) return;
          this.#open.delete(host.name);
          if (this.#unclaimed.delete(host.name)) this.#warmFailed.set(host.name, attempt);
        },
      );
    }
    return t;
  }

  /**
   * connectHost once a handshake slot is free (the slot is held until the connection is up or failed).
   * closeAll() ends the wait and the handshake: a host warmed but never used does not hold up the run's end.
   */
  async #connect(host: ResolvedHost): Promise<Transport> {
    const signal = AbortSignal.any([this.#waiting.signal, ...(this.#o.signal ? [this.#o.signal] : [])]);
    let release: () => void;
    try {
      release = await this.#handshakes.acquire(signal);
    } catch {
      throw new UnreachableError(host.name, 'the run ended before a connection was opened');
    }
    try {
      return await connectHost(host, { ...this.#o, signal });
    } finally {
      release();
    }
  }

  #forget(name: string): void {
    const old = this.#ready.get(name);
    this.#open.delete(name);
    this.#ready.delete(name);
    void old?.close().catch(() => undefined);
  }

  /**
   * Drops the host's connection and reaches the same machine at `address` (migrate_core_ip),
   * retrying until `timeoutSec` (default 120) passes: the host may be restarting its network.
   * The host key verified on the old connection is trusted at the new address; a different
   * key there is refused at once.
   */
  async reconnect(host: ResolvedHost, address: string, timeoutSec = 120): Promise<Transport> {
    const old = await this.#open.get(host.name)?.catch(() => undefined);
    this.#open.delete(host.name);
    this.#ready.delete(host.name);
    await old?.close();
    const pinned = old instanceof SshTransport ? old.hostKey : undefined;
    const closings = this.#closings;
    const deadline = Date.now() + timeoutSec * 1000;
    const connectTimeout = this.#o.connectTimeoutMs ?? 10_000;
    let last: Error | undefined;
    for (let attempt = 0; ; attempt++) {
      const left = deadline - Date.now();
      if (left <= 0 || this.#o.signal?.aborted) break;
      try {
        const t = connectHost(
          host,
          {
            ...this.#o,
            connectTimeoutMs: Math.max(1000, Math.min(connectTimeout, left)),
            ...(pinned ? { pinnedHostKey: pinned } : {}),
          },
          { address },
        );
        this.#open.set(host.name, t);
        const opened = await t;
        // closeAll() ran meanwhile: nobody would close this one.
        if (this.#closings !== closings) {
          await opened.close();
          throw new UnreachableError(host.name, 'the connections were closed while reconnecting');
        }
        this.#ready.set(host.name, opened);
        return opened;
      } catch (e) {
        this.#open.delete(host.name);
        if (e instanceof HostKeyError || !(e instanceof HostError)) throw e;
        last = e;
        await sleep(Math.min(5000, 250 * 2 ** attempt, Math.max(0, deadline - Date.now())), this.#o.signal);
      }
    }
    throw new UnreachableError(
      host.name,
      `could not reconnect to ${host.name} at ${address} within ${formatSeconds(timeoutSec * 1000)}${last ? `: ${last.message}` : ''}`,
      { cause: last },
    );
  }

  async closeAll(): Promise<void> {
    this.#closings++;
    this.#waiting.abort();
    this.#waiting = new AbortController();
    this.#unclaimed.clear();
    this.#warmFailed.clear();
    const all = [...this.#open.values()];
    this.#open.clear();
    this.#ready.clear();
    await Promise.all(
      all.map((t) =>
        t.then(
          (x) => x.close(),
          () => undefined,
        ),
      ),
    );
  }
}
