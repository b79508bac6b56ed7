// YAML 1.1 as Ansible reads it (PyYAML's SafeLoader resolvers): the yaml package's 1.1 tags with PyYAML's exact patterns.
import type { ScalarTag, Tags } from 'yaml';

// The patterns of PyYAML 6's yaml/resolver.py. The yaml package's own 1.1 schema differs on
// y/n (booleans there), 08 (an int there), 1e3 and -.5 (floats there).
export const PY_BOOL_TRUE = /^(?:yes|Yes|YES|true|True|TRUE|on|On|ON)$/;
export const PY_BOOL_FALSE = /^(?:no|No|NO|false|False|FALSE|off|Off|OFF)$/;
export const PY_INT =
  /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/;
export const PY_FLOAT =
  /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
export const PY_NULL = /^(?:~|null|Null|NULL|)$/;

/** Base-60 digits (1:20:30) as PyYAML adds them up. */
const sexagesimal = (text: string, parse: (s: string) => number): number =>
  text
    .split(':')
    .reverse()
    .reduce((sum, part, i) => sum + parse(part) * 60 ** i, 0);

/** PyYAML's construct_yaml_int. */
export function pyInt(source: string): number {
  let text = source.replace(/_/g, '');
  const sign = text[0] === '-' ? -1 : 1;
  if (text[0] === '-' || text[0] === '+') text = text.slice(1);
  if (text === '0') return 0;
  if (text.startsWith('0b')) return sign * Number.parseInt(text.slice(2), 2);
  if (text.startsWith('0x')) return sign * Number.parseInt(text.slice(2), 16);
  if (text.startsWith('0')) return sign * Number.parseInt(text, 8);
  if (text.includes(':')) return sign * sexagesimal(text, Number);
  return sign * Number(text);
}

/** PyYAML's construct_yaml_float. */
export function pyFloat(source: string): number {
  let text = source.replace(/_/g, '').toLowerCase();
  const sign = text[0] === '-' ? -1 : 1;
  if (text[0] === '-' || text[0] === '+') text = text.slice(1);
  if (text === '.inf') return sign * Number.POSITIVE_INFINITY;
  if (text === '.nan') return Number.NaN;
  if (text.includes(':')) return sign * sexagesimal(text, Number.parseFloat);
  return sign * Number.parseFloat(text);
}

const REPLACED = new Set(['tag:yaml.org,2002:bool', 'tag:yaml.org,2002:int', 'tag:yaml.org,2002:float']);
// Timestamps stay the text as written: Ansible's dates print as that text, and no module takes a date.
const DROPPED = new Set(['tag:yaml.org,2002:timestamp']);

const scalarTag = (tags: Tags, tag: string, pick?: (t: ScalarTag) => boolean): ScalarTag => {
  const found = tags.find(
    (t): t is ScalarTag =>
      typeof t === 'object' && !('collection' in t && t.collection) && t.tag === tag && (!pick || pick(t as ScalarTag)),
  );
  if (!found) throw new Error(`the yaml package's 1.1 schema has no ${tag} tag`);
  return found;
};

/**
 * The yaml package's 1.1 tags with PyYAML's implicit bool, int, float and null patterns; use with
 * `version: '1.1'`. Maps, sequences, `<<` merge keys, !!binary, !!set, !!omap and !!pairs are the package's.
 */
export function pyYamlTags(tags: Tags): Tags {
  const bool = (value: boolean): ScalarTag => ({
    ...scalarTag(tags, 'tag:yaml.org,2002:bool', (t) => t.identify?.(value) === true),
    test: value ? PY_BOOL_TRUE : PY_BOOL_FALSE,
    resolve: () => value,
  });
  const int: ScalarTag = {
    ...scalarTag(tags, 'tag:yaml.org,2002:int', (t) => t.format === undefined),
    test: PY_INT,
    resolve: pyInt,
  };
  const float: ScalarTag = {
    ...scalarTag(tags, 'tag:yaml.org,2002:float', (t) => t.format === undefined),
    test: PY_FLOAT,
    resolve: pyFloat,
  };
  const nul: ScalarTag = { ...scalarTag(tags, 'tag:yaml.org,2002:null'), test: PY_NULL };
  const kept = tags.filter((t) => {
    const name = typeof t === 'object' ? t.tag : t;
    return !REPLACED.has(name) && !DROPPED.has(name) && name !== 'tag:yaml.org,2002:null';
  });
  return [nul, bool(true), bool(false), int, float, ...kept];
}

/** Options for the yaml package that read (and write) YAML as PyYAML and so Ansible do. */
export const ANSIBLE_YAML = { version: '1.1', customTags: pyYamlTags } as const;
