// kato's config store: JSON trees keyed by component (cluster, node, router2g, ...), as confdis keeps them.
// In a cluster it is the real redis on the core; on a micro cloud a file stands in for the local one.
import { KatoError } from './errors.js';
import type { Flavor } from './flavor.js';
import { PATHS, readJson, writeJson, type LocalState, type RoleState } from './node.js';
import { RedisClient } from './resp.js';

export interface NodeEntry {
  name: string;
  hostname: string;
  roles: Record<string, RoleState>;
  /** The node's roles show STARTING until then (epoch ms), after its setup or attach. */
  startingUntil?: number;
  /** `kato node retire` shut this DEA down (its apps moved to other DEAs); `node remove` may now take it. */
  retired?: boolean;
}
export interface ClusterInfo {
  mbusip: string;
  endpoint: string;
  version: string;
}

export interface Store {
  readonly where: string;
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown): Promise<void>;
  del(key: string): Promise<void>;
  keys(): Promise<string[]>;
  nodes(): Promise<Record<string, NodeEntry>>;
  /** Atomic per node, so nodes attaching at the same time do not overwrite each other. */
  putNode(ip: string, entry: NodeEntry | null): Promise<void>;
  /** Nodes removed from the cluster (without --skip-detach) detach themselves the next time kato runs there. */
  markDetach(ip: string, on: boolean): Promise<void>;
  isMarkedDetach(ip: string): Promise<boolean>;
  close(): void;
}

const PATCH_NODE = `local raw = redis.call('GET', KEYS[1])
local t = {}
if raw then t = cjson.decode(raw) end
if ARGV[2] == '' then t[ARGV[1]] = nil else t[ARGV[1]] = cjson.decode(ARGV[2]) end
if next(t) == nil then redis.call('SET', KEYS[1], '{}') else redis.call('SET', KEYS[1], cjson.encode(t)) end
redis.call('PUBLISH', KEYS[1] .. ':_changes', ARGV[1])
return 1`;

const DETACH_SET = 'lab:detach';

class RedisStore implements Store {
  constructor(
    private c: RedisClient,
    readonly where: string,
  ) {}
  async get(key: string): Promise<unknown> {
    const raw = await this.c.call('GET', key);
    return typeof raw === 'string' ? JSON.parse(raw) : null;
  }
  async set(key: string, value: unknown): Promise<void> {
    await this.c.call('SET', key, JSON.stringify(value));
    await this.c.call('PUBLISH', `${key}:_changes`, 'set');
  }
  async del(key: string): Promise<void> {
    await this.c.call('DEL', key);
  }
  async keys(): Promise<string[]> {
    const k = await this.c.call('KEYS', '*');
    return (Array.isArray(k) ? k.map(String) : []).filter((x) => !x.startsWith('lab:')).sort();
  }
  async nodes(): Promise<Record<string, NodeEntry>> {
    return ((await this.get('node')) ?? {}) as Record<string, NodeEntry>;
  }
  async putNode(ip: string, entry: NodeEntry | null): Promise<void> {
    await this.c.call('EVAL', PATCH_NODE, '1', 'node', ip, entry ? JSON.stringify(entry) : '');
  }
  async markDetach(ip: string, on: boolean): Promise<void> {
    await this.c.call(on ? 'SADD' : 'SREM', DETACH_SET, ip);
  }
  async isMarkedDetach(ip: string): Promise<boolean> {
    return (await this.c.call('SISMEMBER', DETACH_SET, ip)) === 1;
  }
  close(): void {
    this.c.close();
  }
}

/** The micro cloud's own store: a JSON file on the node. */
export class FileStore implements Store {
  readonly where = 'local';
  private data: Record<string, unknown>;
  constructor(private file: string = PATHS.localConfig) {
    this.data = readJson<Record<string, unknown>>(file) ?? {};
  }
  async get(key: string): Promise<unknown> {
    return this.data[key] ?? null;
  }
  async set(key: string, value: unknown): Promise<void> {
    this.data[key] = value;
    writeJson(this.file, this.data);
  }
  async del(key: string): Promise<void> {
    delete this.data[key];
    writeJson(this.file, this.data);
  }
  async keys(): Promise<string[]> {
    return Object.keys(this.data).sort();
  }
  async nodes(): Promise<Record<string, NodeEntry>> {
    return (this.data.node ?? {}) as Record<string, NodeEntry>;
  }
  async putNode(ip: string, entry: NodeEntry | null): Promise<void> {
    const nodes = { ...(await this.nodes()) };
    if (entry) nodes[ip] = entry;
    else delete nodes[ip];
    await this.set('node', nodes);
  }
  async markDetach(): Promise<void> {}
  async isMarkedDetach(): Promise<boolean> {
    return false;
  }
  close(): void {}
}

export async function openRedisStore(host: string, port: number, timeoutMs = 3000): Promise<Store> {
  const c = await RedisClient.open(host, port, timeoutMs);
  return new RedisStore(c, `${host}:${port}`);
}

/** The store this node uses now: the core's redis when in a cluster (its own on the core), else the file. */
export async function openStore(s: LocalState, f: Flavor): Promise<Store> {
  if (s.mode === 'micro') return new FileStore();
  const host = s.mode === 'core' ? '127.0.0.1' : s.mbusip;
  try {
    return await openRedisStore(host, f.storePort);
  } catch (e) {
    throw new KatoError(
      `cannot reach the cluster config store (${f.storeProcess}) at ${host}:${f.storePort}: ${(e as Error).message}`,
      s.mode === 'core' ? 'start it with `kato start`' : 'is the core node up? check `kato info` for the mbusip',
    );
  }
}

export async function clusterInfo(store: Store): Promise<ClusterInfo | null> {
  return (await store.get('cluster')) as ClusterInfo | null;
}
