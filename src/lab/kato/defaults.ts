// Default component configs a fresh node's store holds (a few of the keys the docs and automation use).
import type { Flavor } from './flavor.js';
import { PATHS } from './node.js';

const nats = (ip: string): string => `nats://${ip}:4222/`;

export function defaultConfig(f: Flavor, mbusip: string, endpoint: string): Record<string, unknown> {
  const common: Record<string, unknown> = {
    router2g: { prevent_x_spoofing: true, port: 80, ssl: { key_file_path: PATHS.key, cert_file_path: PATHS.cert } },
    logyard: { drains: {} },
    stackato_rest: { message_bus_uri: nats(mbusip) },
    harbor_node: { port_range: { min: 35000, max: 40000 }, hostname_external: '' },
    redis_node: { port_range: { first: 5000, last: 15000 } },
    memcached_node: { port_range: { first: 45001, last: 50000 } },
    mongodb_node: { port_range: { first: 15001, last: 25000 } },
    rabbit_node: { port_range: { first: 35001, last: 40000 } },
  };
  if (!f.v3) {
    return {
      ...common,
      cloud_controller: { external_uri: endpoint, mbus: nats(mbusip), maintenance_mode: false },
      dea: { mbus: nats(mbusip) },
    };
  }
  return {
    ...common,
    cloud_controller_ng: { external_domain: endpoint, maintenance_mode: false, message_bus_servers: [nats(mbusip)] },
    dea_ng: { nats_servers: [nats(mbusip)], environment: { app_http_proxy: '', app_https_proxy: '' } },
    fence: { docker: { allowed_host_ports: [], allowed_subnet_ips: [], block_network_ips: [] } },
    rabbit3_node: { port_range: { first: 25001, last: 30000 } },
  };
}

/** The settings that hold the message-bus IP (reference/kato.md 2.7); migrate rewrites them from 3.4.2 on. */
export const MBUS_KEYS: ReadonlyArray<readonly [string, string]> = [
  ['cloud_controller_ng', 'message_bus_servers'],
  ['dea_ng', 'nats_servers'],
  ['stackato_rest', 'message_bus_uri'],
  ['logyard', 'drains'],
];
