// kato config get | set | del | push | pop: component config trees in the config store.
import { flag, type Parsed } from './args.js';
import type { Ctx } from './ctx.js';
import { defaultConfig } from './defaults.js';
import { KatoError } from './errors.js';
import { deletePath, flatten, getPath, parseValue, setPath, typeName } from './config-tree.js';
import { render } from './output.js';
import { FileStore, openStore, type Store } from './store.js';

async function storeFor(ctx: Ctx, component: string | undefined): Promise<Store> {
  // `local` is this node's own settings, kept on the node even in a cluster.
  return component === 'local' ? new FileStore() : openStore(ctx.state, ctx.flavor);
}

async function read(ctx: Ctx, s: Store, component: string): Promise<unknown> {
  const v = await s.get(component);
  if (v !== null || ctx.state.mode !== 'micro') return v;
  return defaultConfig(ctx.flavor, ctx.state.mbusip, ctx.state.endpoint)[component] ?? null;
}

function readStdin(): Promise<string> {
  return new Promise((resolve) => {
    let data = '';
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (d: string) => {
      data += d;
    });
    process.stdin.on('end', () => resolve(data));
  });
}

export async function configGet(ctx: Ctx, p: Parsed): Promise<void> {
  const [component, path] = p.args;
  const s = await storeFor(ctx, component);
  try {
    if (!component) {
      const keys = new Set(await s.keys());
      if (ctx.state.mode === 'micro') for (const k of Object.keys(defaultConfig(ctx.flavor, '', ''))) keys.add(k);
      return ctx.out(
        [...keys]
          .sort()
          .map((k) => `${k}\n`)
          .join(''),
      );
    }
    const tree = await read(ctx, s, component);
    if (tree === null)
      throw new KatoError(`no such component: ${component}`, `components: ${(await s.keys()).join(', ')}`);
    const v = path ? getPath(tree, path) : tree;
    if (v === undefined) throw new KatoError(`no such key: ${component} ${path}`);
    if (flag(p, 'flat')) return ctx.out(`${flatten(v, path ? `${component}/${path}` : component).join('\n')}\n`);
    ctx.out(render(v, flag(p, 'json') ? 'json' : 'yaml'));
  } finally {
    s.close();
  }
}

async function update(ctx: Ctx, component: string, fn: (tree: unknown) => unknown): Promise<void> {
  const s = await storeFor(ctx, component);
  try {
    await s.set(component, fn(await read(ctx, s, component)));
  } finally {
    s.close();
  }
}

export async function configSet(ctx: Ctx, p: Parsed): Promise<void> {
  const [component, path, raw] = p.args as [string, string, string | undefined];
  if (component === 'node' || component === 'cluster')
    throw new KatoError(`${component} is managed by kato node commands`);
  const value = parseValue(raw ?? (await readStdin()), flag(p, 'json'));
  await update(ctx, component, (tree) => setPath(tree, path, value, flag(p, 'force')));
}

export async function configDel(ctx: Ctx, p: Parsed): Promise<void> {
  const [component, path] = p.args as [string, string];
  await update(ctx, component, (tree) => deletePath(tree, path));
}

export async function configPushPop(ctx: Ctx, p: Parsed): Promise<void> {
  const push = p.spec.words[1] === 'push';
  const [component, path, raw] = p.args as [string, string, string];
  const value = parseValue(raw, flag(p, 'json'));
  await update(ctx, component, (tree) => {
    const list = getPath(tree, path) ?? [];
    if (!Array.isArray(list)) throw new KatoError(`${component} ${path} is a ${typeName(list)}, not a list`);
    const next = push ? [...list, value] : list.filter((x) => JSON.stringify(x) !== JSON.stringify(value));
    if (!push && next.length === list.length)
      throw new KatoError(`${JSON.stringify(value)} is not in ${component} ${path}`);
    return setPath(tree, path, next, false);
  });
}
