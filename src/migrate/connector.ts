// Reaching the core during a migration: on its new address once it has moved, else the old one, falling back to the new.
import type { ResolvedHost } from '../inventory/types.js';
import type { Transport } from '../transport/types.js';
import type { Connector } from '../engine/types.js';
import { UnreachableError } from '../errors.js';

export class MigrateConnector implements Connector {
  /** The pool holds a connection to the core's new address (reconnect() caches it under the host's name). */
  #atNewAddress = false;

  constructor(
    private readonly inner: Connector,
    private readonly core: string,
    private readonly newIp: string,
    public coreMoved: boolean,
  ) {}

  async get(host: ResolvedHost): Promise<Transport> {
    if (host.name !== this.core) return this.inner.get(host);
    if (this.#atNewAddress) return this.inner.get(host);
    if (this.coreMoved) return this.reconnect(host, this.newIp, 15);
    try {
      return await this.inner.get(host);
    } catch (e) {
      // An earlier run may have moved the core without recording it (interrupted mid-step).
      if (!(e instanceof UnreachableError)) throw e;
      return await this.reconnect(host, this.newIp, 10).catch(() => {
        throw e;
      });
    }
  }

  async reconnect(host: ResolvedHost, address: string, timeoutSec?: number): Promise<Transport> {
    const t = await this.inner.reconnect(host, address, timeoutSec);
    if (host.name === this.core && address === this.newIp) {
      this.coreMoved = true;
      this.#atNewAddress = true;
    }
    return t;
  }

  closeAll(): Promise<void> {
    this.#atNewAddress = false;
    return this.inner.closeAll();
  }
}
