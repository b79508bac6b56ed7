// Data filters: to_json/to_nice_json/from_json, to_yaml/to_nice_yaml/from_yaml, combine, dict2items, items2dict.
import YAML from 'yaml';
import { ANSIBLE_YAML } from '../load/yaml-schema.js';
import { type Family, asList, asString } from './define.js';
import { type DumpOptions, pyyamlDump } from './pyyaml-dump.js';
import { TypeUse, checkDepth, isDict, pyTruthy } from './values.js';

const MAX_DEPTH = 200;
const ascii = (s: string) =>
  s.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** Python's json.dumps: `{"a": 1, "b": [1, 2]}` (", " and ": "), ASCII-escaped, optional indent and sorted keys. */
export function pyJson(v: unknown, indent?: number, sortKeys = false, depth = 0): string {
  if (depth > MAX_DEPTH) throw new TypeUse(`a value nested deeper than ${MAX_DEPTH} levels`);
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return ascii(JSON.stringify(v));
  if (typeof v === 'number' && !Number.isFinite(v)) return Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
  if (typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  const nl = indent === undefined ? '' : `\n${' '.repeat(indent * (depth + 1))}`;
  const end = indent === undefined ? '' : `\n${' '.repeat(indent * depth)}`;
  const sep = indent === undefined ? ', ' : ',';
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    return `[${nl}${v.map((x) => pyJson(x, indent, sortKeys, depth + 1)).join(sep + nl)}${end}]`;
  }
  const keys = Object.keys(v);
  if (sortKeys) keys.sort();
  if (keys.length === 0) return '{}';
  const body = keys.map(
    (k) => `${ascii(JSON.stringify(k))}: ${pyJson((v as Record<string, unknown>)[k], indent, sortKeys, depth + 1)}`,
  );
  return `{${nl}${body.join(sep + nl)}${end}}`;
}

/** yaml.dump's keyword arguments that to_yaml and to_nice_yaml pass through. */
const YAML_DUMP_KEYWORDS = ['indent', 'width', 'default_flow_style', 'sort_keys', 'explicit_start', 'explicit_end'];

function dumpOptions(a: Record<string, unknown>): DumpOptions {
  const num = (x: unknown) => (x === undefined || x === null ? undefined : Number(x));
  return {
    indent: num(a.indent),
    width: num(a.width),
    sortKeys: a.sort_keys === undefined ? true : pyTruthy(a.sort_keys),
    explicitStart: pyTruthy(a.explicit_start),
    explicitEnd: pyTruthy(a.explicit_end),
  };
}

function parsed(text: unknown, parse: (s: string) => unknown): unknown {
  try {
    const v = parse(asString(text));
    checkDepth(v);
    return v;
  } catch (e) {
    if (e instanceof TypeUse) throw e;
    throw new TypeUse(`cannot parse: ${(e as Error).message.split('\n')[0]}`);
  }
}

function merge(a: unknown, b: unknown, recursive: boolean, listMerge: string): unknown {
  if (isDict(a) && isDict(b)) {
    const out: Record<string, unknown> = { ...a };
    for (const [k, v] of Object.entries(b))
      out[k] = recursive && Object.hasOwn(out, k) ? merge(out[k], v, true, listMerge) : v;
    return out;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (listMerge === 'append') return [...a, ...b];
    if (listMerge === 'prepend') return [...b, ...a];
    if (listMerge === 'append_rp') return [...a.filter((x) => !b.includes(x)), ...b];
    if (listMerge === 'prepend_rp') return [...b, ...a.filter((x) => !b.includes(x))];
    if (listMerge === 'keep') return a;
  }
  return b;
}

export const dataFilters: Family = {
  to_json: {
    params: ['indent', 'sort_keys'],
    fn: (v, a) => pyJson(v, a.indent as number | undefined, a.sort_keys === true),
  },
  to_nice_json: { params: ['indent'], fn: (v, a) => pyJson(v, Number(a.indent ?? 4), true) },
  from_json: { fn: (v) => parsed(v, JSON.parse) },
  to_yaml: {
    params: YAML_DUMP_KEYWORDS,
    fn: (v, a) => pyyamlDump(v, { ...dumpOptions(a), flowStyle: (a.default_flow_style ?? null) as boolean | null }),
  },
  to_nice_yaml: {
    params: ['indent', ...YAML_DUMP_KEYWORDS.filter((k) => k !== 'indent' && k !== 'default_flow_style')],
    fn: (v, a) => pyyamlDump(v, { ...dumpOptions(a), indent: Number(a.indent ?? 4), flowStyle: false }),
  },
  from_yaml: {
    // PyYAML keeps the last of repeated keys without a word; a playbook's loader refuses them
    fn: (v) =>
      parsed(v, (s) => YAML.parse(s, { ...ANSIBLE_YAML, uniqueKeys: false, maxAliasCount: 100, logLevel: 'error' })),
  },
  combine: {
    params: ['o1', 'o2', 'o3', 'o4', 'recursive', 'list_merge'],
    fn: (v, a) => {
      const others = [a.o1, a.o2, a.o3, a.o4]
        .filter((x) => x !== undefined)
        .flatMap((x) => (Array.isArray(x) ? x : [x]));
      const all = Array.isArray(v) ? [...v, ...others] : [v, ...others];
      for (const d of all) if (!isDict(d)) throw new TypeUse('combine expects dictionaries');
      return all.reduce((acc, d) => merge(acc, d, a.recursive === true, asString(a.list_merge ?? 'replace')), {});
    },
  },
  dict2items: {
    params: ['key_name', 'value_name'],
    fn: (v, a) => {
      if (!isDict(v)) throw new TypeUse('dict2items requires a dictionary');
      return Object.entries(v).map(([k, x]) => ({
        [asString(a.key_name ?? 'key')]: k,
        [asString(a.value_name ?? 'value')]: x,
      }));
    },
  },
  items2dict: {
    params: ['key_name', 'value_name'],
    fn: (v, a) => {
      const out: Record<string, unknown> = {};
      for (const it of asList(v, 'items2dict')) {
        if (!isDict(it)) throw new TypeUse('items2dict expects a list of dictionaries');
        out[asString(it[asString(a.key_name ?? 'key')])] = it[asString(a.value_name ?? 'value')];
      }
      return out;
    },
  },
  dict: { fn: (v) => Object.fromEntries(asList(v, 'dict') as [string, unknown][]) },
};
