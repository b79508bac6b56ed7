// The four config keys that hold the message-bus IP, which kato 3.0-3.4.1 leaves to be fixed by hand after a migrate.
import { exec, kato, semver, type Step } from '../../src/sdk.js';

export interface MbusKey {
  component: string;
  path: string;
  /** The value the key must hold for a core at `ip`. */
  value(ip: string): unknown;
  /** Set with `--json` (lists) or as a plain string. */
  json: boolean;
}

const nats = (ip: string) => `nats://${ip}:4222/`;

/** reference/kato.md 2.7 (HD@362651f): the settings the docs required after `kato node migrate` until 3.4.2. */
export const MBUS_KEYS: readonly MbusKey[] = [
  { component: 'cloud_controller_ng', path: 'message_bus_servers', value: (ip) => [nats(ip)], json: true },
  { component: 'dea_ng', path: 'nats_servers', value: (ip) => [nats(ip)], json: true },
  {
    component: 'logyard',
    path: 'drains/builtin.timeline',
    value: (ip) => `tcp://${ip}:9026?filter=event&format=json`,
    json: false,
  },
  { component: 'stackato_rest', path: 'message_bus_uri', value: (ip) => nats(ip), json: false },
];

/** 3.0 to 3.4.1: `kato node migrate` does not rewrite these keys (bug 105207, fixed in 3.4.2). */
export const mbusKeysByHand = (version: string): boolean => semver.gte(version, '3.0.0') && semver.lt(version, '3.4.2');

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * `kato config set` for each key that does not hold the core's new address yet; `current` maps
 * "component path" to its value (undefined: not read yet, so every key is set).
 */
export function mbusKeySteps(ip: string, current: Readonly<Record<string, unknown>> | undefined): Step[] {
  return MBUS_KEYS.filter((k) => !current || !same(current[`${k.component} ${k.path}`], k.value(ip))).map((k) => {
    const v = k.value(ip);
    const text = typeof v === 'string' ? v : JSON.stringify(v);
    return exec(
      `~ ${k.component} ${k.path}: -> ${text} (kato before 3.4.2 leaves it to be set by hand after a migrate)`,
      k.json
        ? kato`kato config set --json ${k.component} ${k.path} ${text}`
        : kato`kato config set ${k.component} ${k.path} ${text}`,
    );
  });
}
