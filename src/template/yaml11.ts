// PyYAML's YAML 1.1 implicit resolvers (resolver.py): which plain scalars read as something other than a string.
import type { DocumentOptions, ParseOptions, SchemaOptions, ToJSOptions } from 'yaml';

/** Tag suffix (after `tag:yaml.org,2002:`) and the pattern a whole plain scalar must match to get it. */
export const YAML11_RESOLVERS: readonly (readonly [tag: string, pattern: RegExp])[] = [
  ['bool', /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/],
  [
    'float',
    /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/,
  ],
  [
    'int',
    /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/,
  ],
  ['merge', /^(?:<<)$/],
  ['null', /^(?:~|null|Null|NULL|)$/],
  [
    'timestamp',
    /^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$/,
  ],
  ['value', /^(?:=)$/],
  ['yaml', /^(?:!|&|\*)$/],
];

/** The tag a plain scalar resolves to under YAML 1.1, or undefined for a string. */
export const resolvePlain = (text: string): string | undefined => YAML11_RESOLVERS.find(([, re]) => re.test(text))?.[0];

const withoutSign = (text: string): [number, string] => {
  const t = text.replaceAll('_', '');
  return [t.startsWith('-') ? -1 : 1, t.replace(/^[-+]/, '')];
};
const base60 = (parts: number[]) => parts.reduce((acc, d) => acc * 60 + d, 0);

/** SafeConstructor's ints: 0b binary, 0x hex, a leading 0 octal, 1:30 base 60, underscores ignored. */
function int11(text: string): number {
  const [sign, t] = withoutSign(text);
  if (t === '0') return 0;
  if (t.startsWith('0b')) return sign * Number.parseInt(t.slice(2), 2);
  if (t.startsWith('0x')) return sign * Number.parseInt(t.slice(2), 16);
  if (t.startsWith('0')) return sign * Number.parseInt(t, 8);
  if (t.includes(':')) return sign * base60(t.split(':').map(Number));
  return sign * Number(t);
}

function float11(text: string): number {
  const [sign, t] = withoutSign(text.toLowerCase());
  if (t === '.inf') return sign * Number.POSITIVE_INFINITY;
  if (t === '.nan') return Number.NaN;
  if (t.includes(':')) return sign * base60(t.split(':').map(Number));
  return sign * Number(t);
}

const pattern = (tag: string) => YAML11_RESOLVERS.find(([t]) => t === tag)![1];
const scalarTag = (name: string, resolve: (s: string) => unknown) => ({
  tag: `tag:yaml.org,2002:${name}`,
  default: true as const,
  test: pattern(name),
  resolve,
});
/** PyYAML's implicit scalars; a timestamp stays its text (PyYAML makes a date, which Ansible prints as that text). */
const PYYAML_SCALARS = [
  scalarTag('null', () => null),
  scalarTag('bool', (s) => ['yes', 'true', 'on'].includes(s.toLowerCase())),
  scalarTag('int', int11),
  scalarTag('float', float11),
  scalarTag('timestamp', (s) => s),
];
const REPLACED = new Set(PYYAML_SCALARS.map((t) => t.tag));
/** `!!float '1'`: an explicit tag constructs from any text, as PyYAML's constructors do. */
const EXPLICIT = PYYAML_SCALARS.map(({ tag, resolve }) => ({ tag, resolve }));
/** `=` resolves to YAML 1.1's value tag, which PyYAML's SafeLoader cannot construct. */
const VALUE = {
  ...scalarTag('value', () => null),
  resolve: (_s: string, onError: (message: string) => void) =>
    onError("could not determine a constructor for the tag 'tag:yaml.org,2002:value'"),
};

/** The yaml library's options for reading YAML as Ansible's from_yaml (CSafeLoader) reads it. */
export const YAML11_PARSE: ParseOptions & DocumentOptions & SchemaOptions & ToJSOptions = {
  version: '1.1',
  schema: 'yaml-1.1',
  customTags: (tags) => [
    ...PYYAML_SCALARS,
    VALUE,
    ...EXPLICIT,
    ...tags.filter((t) => typeof t === 'string' || !(REPLACED.has(t.tag) && 'test' in t && t.test)),
  ],
  uniqueKeys: false,
  maxAliasCount: 100,
  logLevel: 'error',
};
