// What differs between kato versions (reference/kato.md section 7), as one value per emulated version.
import semver from 'semver';

export interface Flavor {
  version: string;
  series: '2.x' | '3.x';
  /** The config store: doozerd on 8046 in 2.x (emulated with redis), config_redis on 7474 in 3.x. */
  storePort: number;
  storeProcess: string;
  /** The message bus (NATS) process and port. */
  mbusProcess: string;
  mbusPort: number;
  /** 3.4.1 fixed kato always exiting 0 (bug 103719). */
  exitCodes: boolean;
  /** Non-interactive `op static_ip` flags (3.2). */
  staticIpFlags: boolean;
  /** `node remove` takes several IPs and --skip-detach (3.2.1). */
  multiRemove: boolean;
  /** 3.0: node detach, attach -f and the version check, LB attached with no roles, setup load_balancer --force. */
  v3: boolean;
  /** `node migrate` also rewrites the message-bus config keys (3.4.2, bug 105207). */
  migrateFixesMbusKeys: boolean;
  /** `kato node reattach` (3.6). */
  reattach: boolean;
}

export function flavorOf(version: string): Flavor {
  const v = semver.coerce(version)?.version ?? '3.6.2';
  const v3 = semver.gte(v, '3.0.0');
  return {
    version,
    series: v3 ? '3.x' : '2.x',
    storePort: v3 ? 7474 : 8046,
    storeProcess: v3 ? 'config_redis' : 'doozerd',
    mbusProcess: v3 ? 'gnatsd' : 'nats_server',
    mbusPort: 4222,
    exitCodes: semver.gte(v, '3.4.1'),
    staticIpFlags: semver.gte(v, '3.2.0'),
    multiRemove: semver.gte(v, '3.2.1'),
    v3,
    migrateFixesMbusKeys: semver.gte(v, '3.4.2'),
    reattach: semver.gte(v, '3.6.0'),
  };
}
