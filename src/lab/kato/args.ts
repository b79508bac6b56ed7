// A small docopt-like argument reader for kato: command words, then options and positionals per command.
import { didYouMean } from '../../suggest.js';
import { KatoError } from './errors.js';
import type { Flavor } from './flavor.js';

export interface OptSpec {
  /** Long name without dashes: 'no-restart'. */
  long: string;
  short?: string;
  /** Takes a value (`--ip=1.2.3.4`, `--ip 1.2.3.4`, `-e dea,router`). */
  value?: boolean;
  /** Only in these series (default: both). */
  series?: Flavor['series'];
  /** Only from this flavor on. */
  when?: (f: Flavor) => boolean;
}

export interface CommandSpec {
  words: string[];
  usage: string;
  opts: OptSpec[];
  min: number;
  max: number;
  when?: (f: Flavor) => boolean;
}

export interface Parsed {
  spec: CommandSpec;
  opts: Record<string, string | boolean>;
  args: string[];
}

const offered = (o: { series?: Flavor['series']; when?: (f: Flavor) => boolean }, f: Flavor): boolean =>
  (!o.series || o.series === f.series) && (!o.when || o.when(f));

/** Picks the command named by the leading words of argv (longest match) and reads the rest. */
export function parseArgs(argv: readonly string[], specs: readonly CommandSpec[], f: Flavor): Parsed {
  const live = specs.filter((s) => offered(s, f));
  let spec: CommandSpec | undefined;
  for (const s of live) {
    if (s.words.every((w, i) => argv[i] === w) && (!spec || s.words.length > spec.words.length)) spec = s;
  }
  if (!spec) throw unknownCommand(argv, live, f);
  return { spec, ...readRest(argv.slice(spec.words.length), spec, f) };
}

function unknownCommand(argv: readonly string[], live: readonly CommandSpec[], f: Flavor): KatoError {
  const words: string[] = [];
  for (const w of argv) {
    if (w.startsWith('-')) break;
    const next = [...words, w];
    if (!live.some((s) => next.every((x, i) => s.words[i] === x))) {
      const choices = [
        ...new Set(
          live
            .filter((s) => words.every((x, i) => s.words[i] === x))
            .map((s) => s.words[words.length])
            .filter((x): x is string => !!x),
        ),
      ];
      const prefix = words.length ? `kato ${words.join(' ')} ` : 'kato ';
      const hint = didYouMean(w, choices) ?? 'see `kato help`';
      return new KatoError(`unknown command: ${prefix}${w}`, hint, words.length ? usageOf(live, words, f) : undefined);
    }
    words.push(w);
  }
  return new KatoError(
    words.length ? `incomplete command: kato ${words.join(' ')}` : 'no command given',
    undefined,
    usageOf(live, words, f),
  );
}

export function usageOf(live: readonly CommandSpec[], words: readonly string[], f?: Flavor): string {
  const matching = live.filter((s) => words.every((x, i) => s.words[i] === x));
  return `Usage:\n${matching.map((s) => `  kato ${f ? usageFor(s, f) : s.usage}`).join('\n')}`;
}

/** The usage line without the bracketed options this version does not have. */
export function usageFor(s: CommandSpec, f: Flavor): string {
  const hidden = s.opts.filter((o) => !offered(o, f)).map((o) => o.long);
  if (!hidden.length) return s.usage;
  return s.usage
    .replace(/ ?\[[^[\]]*\]/g, (group) => (hidden.some((h) => group.includes(`--${h}`)) ? '' : group))
    .replace(/\s+/g, ' ');
}

function readRest(rest: readonly string[], spec: CommandSpec, f: Flavor): Omit<Parsed, 'spec'> {
  const opts: Record<string, string | boolean> = {};
  const args: string[] = [];
  const usage = `Usage:\n  kato ${usageFor(spec, f)}`;
  const allowed = spec.opts.filter((o) => offered(o, f));
  for (let i = 0; i < rest.length; i++) {
    const tok = rest[i]!;
    if (tok === '--') {
      args.push(...rest.slice(i + 1));
      break;
    }
    if (!tok.startsWith('-') || tok === '-') {
      args.push(tok);
      continue;
    }
    const long = tok.startsWith('--');
    const [name, inline] = long
      ? splitOnce(tok.slice(2), '=')
      : [tok.slice(1, 2), tok.length > 2 ? tok.slice(2) : undefined];
    const o = allowed.find((x) => (long ? x.long === name : x.short === name));
    if (!o) {
      const names = allowed.map((x) => `--${x.long}`);
      throw new KatoError(
        `unknown option ${long ? `--${name}` : `-${name}`} for kato ${spec.words.join(' ')}`,
        didYouMean(`--${name}`, names),
        usage,
      );
    }
    if (o.value) {
      const v = inline ?? rest[++i];
      if (v === undefined) throw new KatoError(`option --${o.long} needs a value`, undefined, usage);
      opts[o.long] = v;
    } else {
      if (inline !== undefined) throw new KatoError(`option --${o.long} takes no value`, undefined, usage);
      opts[o.long] = true;
    }
  }
  if (args.length < spec.min) throw new KatoError(`kato ${spec.words.join(' ')}: missing argument`, undefined, usage);
  if (args.length > spec.max)
    throw new KatoError(`kato ${spec.words.join(' ')}: unexpected argument "${args[spec.max]}"`, undefined, usage);
  return { opts, args };
}

function splitOnce(s: string, sep: string): [string, string | undefined] {
  const i = s.indexOf(sep);
  return i < 0 ? [s, undefined] : [s.slice(0, i), s.slice(i + 1)];
}

export const flag = (p: Parsed, name: string): boolean => p.opts[name] === true;
export const value = (p: Parsed, name: string): string | undefined => {
  const v = p.opts[name];
  return typeof v === 'string' ? v : undefined;
};
