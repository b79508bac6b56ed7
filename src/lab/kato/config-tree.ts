// Key paths (a/b/c) in kato's JSON config trees: get, set with type checks, delete, flatten.
import { KatoError } from './errors.js';

type Tree = Record<string, unknown>;

const isTree = (v: unknown): v is Tree => !!v && typeof v === 'object' && !Array.isArray(v);
export const splitPath = (path: string): string[] => path.split('/').filter(Boolean);

export function getPath(root: unknown, path: string): unknown {
  let cur = root;
  for (const k of splitPath(path)) {
    if (!isTree(cur) || !Object.hasOwn(cur, k)) return undefined;
    cur = cur[k];
  }
  return cur;
}

export const typeName = (v: unknown): string =>
  v === null
    ? 'null'
    : Array.isArray(v)
      ? 'list'
      : isTree(v)
        ? 'map'
        : typeof v === 'number'
          ? Number.isInteger(v)
            ? 'integer'
            : 'float'
          : typeof v;

/** A value as typed on the command line: JSON with -j; otherwise true/false and numbers are typed, the rest is a string. */
export function parseValue(raw: string, json: boolean): unknown {
  if (json) {
    try {
      return JSON.parse(raw);
    } catch (e) {
      throw new KatoError(`not valid JSON: ${(e as Error).message}`);
    }
  }
  const t = raw.trim();
  if (t === 'true' || t === 'false') return t === 'true';
  if (/^-?\d+$/.test(t)) return Number(t);
  if (/^-?\d+\.\d+$/.test(t)) return Number(t);
  return raw.replace(/\n$/, '');
}

/** Sets path to value in a copy of root; changing a value's type needs `force` (as kato's --force). */
export function setPath(root: unknown, path: string, value: unknown, force: boolean): Tree {
  const keys = splitPath(path);
  if (!keys.length) throw new KatoError('a key path is needed, e.g. ssl/key_file_path');
  const out: Tree = isTree(root) ? structuredClone(root) : {};
  let cur = out;
  for (const k of keys.slice(0, -1)) {
    if (!isTree(cur[k])) {
      if (cur[k] !== undefined && !force)
        throw new KatoError(`${k} is a ${typeName(cur[k])}, not a map`, 'use --force to replace it');
      cur[k] = {};
    }
    cur = cur[k] as Tree;
  }
  const last = keys[keys.length - 1]!;
  const old = cur[last];
  if (
    old !== undefined &&
    old !== null &&
    typeName(old) !== typeName(value) &&
    !(typeof old === 'number' && typeof value === 'number') &&
    !force
  ) {
    throw new KatoError(
      `${path} is a ${typeName(old)}; refusing to set a ${typeName(value)}`,
      'use --force to change the type',
    );
  }
  cur[last] = value;
  return out;
}

export function deletePath(root: unknown, path: string): Tree {
  const keys = splitPath(path);
  const out: Tree = isTree(root) ? structuredClone(root) : {};
  let cur: unknown = out;
  for (const k of keys.slice(0, -1)) cur = isTree(cur) && Object.hasOwn(cur, k) ? cur[k] : undefined;
  const last = keys[keys.length - 1];
  if (!isTree(cur) || last === undefined || !Object.hasOwn(cur, last)) throw new KatoError(`no such key: ${path}`);
  delete cur[last];
  return out;
}

/** `<full-config-path> <value>` lines, as `kato config get --flat` prints them. */
export function flatten(value: unknown, prefix: string): string[] {
  if (isTree(value) && Object.keys(value).length)
    return Object.keys(value)
      .sort()
      .flatMap((k) => flatten(value[k], `${prefix}/${k}`));
  return [`${prefix} ${typeof value === 'string' ? value : JSON.stringify(value)}`];
}
