// Reaching inventory hosts: local or SSH per host, and a pool that keeps one connection per host for a run.
import type { ResolvedHost } from '../inventory/types.js';
import { HostError, HostKeyError, UnreachableError } from '../errors.js';
import { connectionOf, type ConnectionDefaults, type HostConnection } from './connection.js';
import { formatSeconds } from './errors.js';
import { localTransport } from './local.js';
import { connectSsh, SshTransport, type SshOptions } from './ssh.js';
import type { Transport } from './types.js';

export interface ConnectOptions extends SshOptions {
  /** Where the ssh config is and who the local user is (see connectionOf). */
  connectionDefaults?: ConnectionDefaults;
}

/** Opens a transport to the host as its vars say: `local`, or SSH. Throws UnreachableError. */
export async function connectHost(host: ResolvedHost, o: ConnectOptions = {}, override: { address?: string } = {}): Promise<Transport> {
  const conn: HostConnection = connectionOf(host, o.connectionDefaults);
  if (override.address) conn.address = override.address;
  if (conn.kind === 'local' && !override.address) {
    return localTransport(host.name, {
      become: conn.become,
      ...(conn.becomeUser ? { becomeUser: conn.becomeUser } : {}),
      ...(conn.becomePassword ? { becomePassword: conn.becomePassword } : {}),
      ...(o.commandTimeoutMs !== undefined ? { commandTimeoutMs: o.commandTimeoutMs } : {}),
    });
  }
  if (conn.kind === 'local') conn.kind = 'ssh';
  return connectSsh(conn, o);
}

const sleep = (ms: number, signal?: AbortSignal) => new Promise<void>((resolve) => {
  const t = setTimeout(resolve, ms);
  signal?.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
});

/**
 * One transport per host for a whole run: get() connects once (concurrent callers share the
 * attempt; a failed attempt is not cached), closeAll() ends them all.
 */
export class ConnectionPool {
  readonly #open = new Map<string, Promise<Transport>>();
  readonly #o: ConnectOptions;

  constructor(o: ConnectOptions = {}) {
    this.#o = o;
  }

  get(host: ResolvedHost): Promise<Transport> {
    let t = this.#open.get(host.name);
    if (!t) {
      t = connectHost(host, this.#o);
      this.#open.set(host.name, t);
      t.catch(() => { if (this.#open.get(host.name) === t) this.#open.delete(host.name); });
    }
    return t;
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
    await old?.close();
    const pinned = old instanceof SshTransport ? old.hostKey : undefined;
    const deadline = Date.now() + timeoutSec * 1000;
    const connectTimeout = this.#o.connectTimeoutMs ?? 10_000;
    let last: Error | undefined;
    for (let attempt = 0; ; attempt++) {
      const left = deadline - Date.now();
      if (left <= 0 || this.#o.signal?.aborted) break;
      try {
        const t = connectHost(host, {
          ...this.#o,
          connectTimeoutMs: Math.max(1000, Math.min(connectTimeout, left)),
          ...(pinned ? { pinnedHostKey: pinned } : {}),
        }, { address });
        this.#open.set(host.name, t);
        return await t;
      } catch (e) {
        this.#open.delete(host.name);
        if (e instanceof HostKeyError || !(e instanceof HostError)) throw e;
        last = e;
        await sleep(Math.min(5000, 250 * 2 ** attempt, Math.max(0, deadline - Date.now())), this.#o.signal);
      }
    }
    throw new UnreachableError(host.name, `could not reconnect to ${host.name} at ${address} within ${formatSeconds(timeoutSec * 1000)}${last ? `: ${last.message}` : ''}`, { cause: last });
  }

  async closeAll(): Promise<void> {
    const all = [...this.#open.values()];
    this.#open.clear();
    await Promise.all(all.map((t) => t.then((x) => x.close(), () => undefined)));
  }
}
