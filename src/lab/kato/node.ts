// This node as kato sees it: identity (from the lab), local state, files it touches, its own address.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { hostname, networkInterfaces } from 'node:os';
import { dirname } from 'node:path';
import type { NodeIdentity } from '../node-files.js';
import type { Flavor } from './flavor.js';
import { microCloudRoles } from './roles.js';

export const PATHS = {
  identity: '/var/stackato/lab/node.json',
  state: '/var/stackato/lab/kato.json',
  localConfig: '/var/stackato/lab/config.json',
  run: '/var/stackato/lab/run',
  logs: '/s/logs',
  storeData: '/var/stackato/data/config_redis',
  hostname: '/etc/hostname',
  hosts: '/etc/hosts',
  interfaces: '/etc/network/interfaces',
  nginxConf: '/etc/nginx/kato-lb.conf',
  cert: '/etc/ssl/certs/stackato.crt',
  key: '/etc/ssl/private/stackato.key',
} as const;

export type RoleState = 'running' | 'stopped';

/** kato's own record on the node. `mode` says whether it is a micro cloud, the core, or attached to one. */
export interface LocalState {
  mode: 'micro' | 'core' | 'attached';
  /** The core's (message bus) address; 127.0.0.1 on a micro cloud. */
  mbusip: string;
  endpoint: string;
  roles: Record<string, RoleState>;
  /** After setup or attach: the roles show STARTING until this time (epoch ms). */
  startingUntil?: number;
  /** Routers a load balancer spreads requests over. */
  lbPool?: string[];
}

export type Identity = NodeIdentity;

export function readJson<T>(file: string): T | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return null;
  }
}

export function writeJson(file: string, data: unknown): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, `${JSON.stringify(data, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}

export function writeText(file: string, text: string, mode?: number): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, text, mode !== undefined ? { mode } : {});
  renameSync(`${file}.tmp`, file);
}

export function loadIdentity(): Identity {
  const id = readJson<Identity>(PATHS.identity);
  if (!id) throw new Error(`${PATHS.identity} is missing: this kato only runs on stackplay lab nodes`);
  return id;
}

/** A fresh node is a micro cloud whose roles are configured but not started (as SCT's images boot). */
export function loadState(f: Flavor): LocalState {
  const s = readJson<LocalState>(PATHS.state);
  if (s) return s;
  const host = currentHostname();
  return {
    mode: 'micro',
    mbusip: '127.0.0.1',
    endpoint: `api.${host}`,
    roles: Object.fromEntries(microCloudRoles(f).map((r) => [r, 'stopped' as RoleState])),
  };
}

export const saveState = (s: LocalState): void => writeJson(PATHS.state, s);

/** eth0's IPv4 address: what kato reports as the node's IP (it follows `op static_ip --restart-network`). */
export function ownIp(id: Identity): string {
  const eth0 = networkInterfaces().eth0?.find((a) => a.family === 'IPv4');
  return eth0?.address ?? id.ip;
}

export function currentHostname(): string {
  const file = existsSync(PATHS.hostname) ? readFileSync(PATHS.hostname, 'utf8').trim() : '';
  return file || hostname();
}
