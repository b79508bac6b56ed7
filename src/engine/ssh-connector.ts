// The connector the CLI uses: one pooled SSH (or local) transport per host, with the run's host-key policy.
import { ConnectionPool } from '../transport/connect.js';
import type { HostKeyChecking } from '../transport/connection.js';
import type { Connector } from './types.js';

export interface SshConnectorOptions {
  hostKeyChecking: HostKeyChecking;
  /** An extra known_hosts file; accept-new records new keys there. */
  knownHostsFile?: string;
  /** Connect timeout (Ansible's --timeout); commands themselves are not cut short. */
  timeoutSec?: number;
  signal?: AbortSignal;
  /** Told when a host's connection dropped between two tasks (a reboot) and is opened again. */
  notice?: (message: string) => void;
}

export function sshConnector(o: SshConnectorOptions): Connector {
  return new ConnectionPool({
    hostKeyChecking: o.hostKeyChecking,
    ...(o.knownHostsFile ? { knownHostsWriteFile: o.knownHostsFile } : {}),
    ...(o.timeoutSec ? { connectTimeoutMs: o.timeoutSec * 1000 } : {}),
    ...(o.signal ? { signal: o.signal } : {}),
    ...(o.notice
      ? {
          onReconnect: (host: string, why: string) =>
            o.notice!(`${host}: ${why} since its last task; connecting again`),
        }
      : {}),
  });
}
