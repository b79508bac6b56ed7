// yaml.dump as Ansible's to_yaml runs it: PyYAML's SafeRepresenter over libyaml 0.2.5's emitter (CSafeDumper), for template values.
import { TypeUse, Undefined, defined, isDict, typeName } from './values.js';
import { PY_BOOL_FALSE, PY_BOOL_TRUE, PY_FLOAT, PY_INT, PY_NULL } from '../load/yaml-schema.js';

export interface DumpOptions {
  indent?: number;
  width?: number;
  /** PyYAML's default_flow_style: true/false for every collection; null: flow only when all items are scalars. */
  flowStyle?: boolean | null;
  sortKeys?: boolean;
  explicitStart?: boolean;
  explicitEnd?: boolean;
}

type YNode =
  | { kind: 'scalar'; text: string; plainImplicit: boolean }
  | { kind: 'seq'; items: YNode[]; flow: boolean }
  | { kind: 'map'; pairs: [YNode, YNode][]; flow: boolean };

const MAX_DEPTH = 200;

/**
 * The plain scalars PyYAML's resolver reads as something other than a string, so a string with that text is quoted:
 * the reader's patterns, and those the reader leaves as text (timestamps, `<<` outside a key, `=`, `!`, `&`, `*`).
 */
const NOT_A_STRING = [
  PY_BOOL_TRUE,
  PY_BOOL_FALSE,
  PY_INT,
  PY_FLOAT,
  PY_NULL,
  /^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$/,
  /^(?:<<|=|!|&|\*)$/,
];
const plainIsString = (text: string) => !NOT_A_STRING.some((re) => re.test(text));

/** An int as Python prints it, a float as PyYAML writes its repr (shortest digits; exponent below 1e-4 and from 1e16). */
function floatText(v: number): string {
  if (Number.isNaN(v)) return '.nan';
  if (!Number.isFinite(v)) return v > 0 ? '.inf' : '-.inf';
  // an integer as JSON carries it (digits below 1e21) is a Python int; beyond that JSON and Python hold a float
  if (Number.isInteger(v) && Math.abs(v) < 1e21) return String(v === 0 ? 0 : v);
  const [mantissa, exp] = v.toExponential().split('e') as [string, string];
  const e = Number(exp);
  if (e >= -4 && e < 16) return String(v);
  const m = mantissa.includes('.') ? mantissa : `${mantissa}.0`;
  return `${m}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
}

/** Python's sorted() on str keys: by code point, not by UTF-16 unit. */
function byCodePoint(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

const isScalarNode = (n: YNode) => n.kind === 'scalar';

/** The node tree; a list or dict met twice is one node (PyYAML's represented_objects), written once with an anchor. */
function represent(root: unknown, o: DumpOptions): YNode {
  const seen = new Map<object, YNode>();
  const flow = (children: YNode[]) => o.flowStyle ?? children.every(isScalarNode);
  const walk = (v: unknown, depth: number): YNode => {
    if (depth > MAX_DEPTH) throw new TypeUse(`a value nested deeper than ${MAX_DEPTH} levels`);
    if (v instanceof Undefined) defined(v);
    if (v === null || v === undefined) return { kind: 'scalar', text: 'null', plainImplicit: true };
    if (typeof v === 'boolean') return { kind: 'scalar', text: v ? 'true' : 'false', plainImplicit: true };
    if (typeof v === 'number') return { kind: 'scalar', text: floatText(v), plainImplicit: true };
    if (typeof v === 'string') return { kind: 'scalar', text: v, plainImplicit: plainIsString(v) };
    const known = seen.get(v as object);
    if (known) return known;
    if (Array.isArray(v)) {
      const n: YNode = { kind: 'seq', items: [], flow: false };
      seen.set(v, n);
      n.items = v.map((x) => walk(x, depth + 1));
      n.flow = flow(n.items);
      return n;
    }
    if (isDict(v)) {
      const n: YNode = { kind: 'map', pairs: [], flow: false };
      seen.set(v, n);
      const keys = Object.keys(v);
      if (o.sortKeys !== false) keys.sort(byCodePoint);
      n.pairs = keys.map((k): [YNode, YNode] => [walk(k, depth + 1), walk(v[k], depth + 1)]);
      n.flow = flow(n.pairs.flat());
      return n;
    }
    throw new TypeUse(`cannot represent an object of type ${typeName(v)} as YAML`);
  };
  return walk(root, 0);
}

/** Anchors `id001`, `id002`… for the nodes met more than once, numbered at their second meeting (PyYAML's serializer). */
function anchors(root: YNode): Map<YNode, string> {
  const met = new Map<YNode, string | null>();
  let last = 0;
  const visit = (n: YNode): void => {
    if (n.kind === 'scalar') return;
    if (met.has(n)) {
      if (met.get(n) === null) met.set(n, `id${String(++last).padStart(3, '0')}`);
      return;
    }
    met.set(n, null);
    if (n.kind === 'seq') n.items.forEach(visit);
    else for (const pair of n.pairs) pair.forEach(visit);
  };
  visit(root);
  return new Map([...met].filter((e): e is [YNode, string] => e[1] !== null));
}

const isBreak = (c: string | undefined) =>
  c === '\n' || c === '\r' || c === '\u0085' || c === '\u2028' || c === '\u2029';
const isBlankZ = (c: string | undefined) => c === undefined || c === ' ' || c === '\t' || c === '\0' || isBreak(c);
function isPrintable(c: string): boolean {
  const p = c.codePointAt(0)!;
  return (
    p === 0x0a || (p >= 0x20 && p <= 0x7e) || (p >= 0xa0 && p <= 0xd7ff) || (p >= 0xe000 && p <= 0xfffd && p !== 0xfeff)
  );
}

interface Analysis {
  multiline: boolean;
  flowPlain: boolean;
  blockPlain: boolean;
  singleQuoted: boolean;
}

/** Which styles a scalar's text allows (libyaml's yaml_emitter_analyze_scalar). */
function analyze(cs: string[]): Analysis {
  if (cs.length === 0) return { multiline: false, flowPlain: false, blockPlain: true, singleQuoted: true };
  const text = cs.join('');
  let blockIndicators = text.startsWith('---') || text.startsWith('...');
  let flowIndicators = blockIndicators;
  let lineBreaks = false;
  let special = false;
  let edge = false; // a space or break first or last
  let breakSpace = false;
  let spaceBreak = false;
  let prevSpace = false;
  let prevBreak = false;
  let preceded = true;
  let followed = isBlankZ(cs[1]);
  cs.forEach((c, i) => {
    if (i === 0) {
      if ('#,[]{}&*!|>\'"%@`'.includes(c)) flowIndicators = blockIndicators = true;
      if (c === '?' || c === ':') {
        flowIndicators = true;
        if (followed) blockIndicators = true;
      }
      if (c === '-' && followed) flowIndicators = blockIndicators = true;
    } else {
      if (',?[]{}'.includes(c)) flowIndicators = true;
      if (c === ':') {
        flowIndicators = true;
        if (followed) blockIndicators = true;
      }
      if (c === '#' && preceded) flowIndicators = blockIndicators = true;
    }
    if (!isPrintable(c)) special = true;
    const last = i === cs.length - 1;
    if (c === ' ') {
      if (i === 0 || last) edge = true;
      if (prevBreak) breakSpace = true;
      prevSpace = true;
      prevBreak = false;
    } else if (isBreak(c)) {
      lineBreaks = true;
      if (i === 0 || last) edge = true;
      if (prevSpace) spaceBreak = true;
      prevSpace = false;
      prevBreak = true;
    } else {
      prevSpace = prevBreak = false;
    }
    preceded = isBlankZ(c);
    if (!last) followed = isBlankZ(cs[i + 2]);
  });
  const singleQuoted = !(breakSpace || spaceBreak || special);
  const plain = singleQuoted && !edge && !lineBreaks;
  return {
    multiline: lineBreaks,
    flowPlain: plain && !flowIndicators,
    blockPlain: plain && !blockIndicators,
    singleQuoted,
  };
}

const ESCAPES: Record<number, string> = {
  0: '0',
  7: 'a',
  8: 'b',
  9: 't',
  10: 'n',
  11: 'v',
  12: 'f',
  13: 'r',
  27: 'e',
  34: '"',
  92: '\\',
  133: 'N',
  160: '_',
  8232: 'L',
  8233: 'P',
};

function escaped(c: string): string {
  const p = c.codePointAt(0)!;
  const named = ESCAPES[p];
  if (named) return `\\${named}`;
  const [letter, width] = p <= 0xff ? ['x', 2] : p <= 0xffff ? ['u', 4] : ['U', 8];
  return `\\${letter}${p.toString(16).toUpperCase().padStart(width, '0')}`;
}

/** libyaml's emitter state, walked recursively over the node tree instead of an event queue. */
class Emitter {
  out = '';
  private column = 0;
  private whitespace = true;
  private indention = true;
  private indent = -1;
  private readonly indents: number[] = [];
  private flowLevel = 0;
  private mappingContext = false;
  private simpleKeyContext = false;

  private readonly written = new Set<YNode>();

  constructor(
    private readonly bestIndent: number,
    private readonly bestWidth: number,
    private readonly anchors: Map<YNode, string>,
  ) {}

  private write(s: string): void {
    this.out += s;
    this.column += [...s].length;
  }
  private writeBreak(c = '\n'): void {
    this.out += c;
    this.column = 0;
  }
  private increaseIndent(flow: boolean, indentless: boolean): void {
    this.indents.push(this.indent);
    if (this.indent < 0) this.indent = flow ? this.bestIndent : 0;
    else if (!indentless) this.indent += this.bestIndent;
  }
  private popIndent(): void {
    this.indent = this.indents.pop()!;
  }
  writeIndent(): void {
    const indent = Math.max(this.indent, 0);
    if (!this.indention || this.column > indent || (this.column === indent && !this.whitespace)) this.writeBreak();
    if (this.column < indent) this.write(' '.repeat(indent - this.column));
    this.whitespace = true;
    this.indention = true;
  }
  indicator(s: string, needWhitespace: boolean, isWhitespace: boolean, isIndention: boolean): void {
    if (needWhitespace && !this.whitespace) this.write(' ');
    this.write(s);
    this.whitespace = isWhitespace;
    this.indention = this.indention && isIndention;
  }

  node(n: YNode, mapping: boolean, simpleKey: boolean): void {
    this.mappingContext = mapping;
    this.simpleKeyContext = simpleKey;
    const anchor = this.anchors.get(n);
    if (anchor !== undefined && this.written.has(n)) {
      this.indicator(`*${anchor}`, true, false, false);
      if (simpleKey) this.write(' ');
      return;
    }
    if (anchor !== undefined) {
      this.written.add(n);
      this.indicator(`&${anchor}`, true, false, false);
    }
    const flow = this.flowLevel > 0 || (n.kind !== 'scalar' && n.flow);
    if (n.kind === 'scalar') this.scalar(n);
    else if (n.kind === 'seq') {
      if (flow || n.items.length === 0) this.flowSequence(n.items);
      else this.blockSequence(n.items);
    } else if (flow || n.pairs.length === 0) this.flowMapping(n.pairs);
    else this.blockMapping(n.pairs);
  }

  private simpleKey(n: YNode): boolean {
    if (n.kind === 'seq') return n.items.length === 0;
    if (n.kind === 'map') return n.pairs.length === 0;
    return !analyze([...n.text]).multiline && Buffer.byteLength(n.text, 'utf8') <= 128;
  }

  private flowSequence(items: YNode[]): void {
    this.indicator('[', true, true, false);
    this.increaseIndent(true, false);
    this.flowLevel++;
    items.forEach((item, i) => {
      if (i > 0) this.indicator(',', false, false, false);
      if (this.column > this.bestWidth) this.writeIndent();
      this.node(item, false, false);
    });
    this.flowLevel--;
    this.popIndent();
    this.indicator(']', false, false, false);
  }

  private flowMapping(pairs: [YNode, YNode][]): void {
    this.indicator('{', true, true, false);
    this.increaseIndent(true, false);
    this.flowLevel++;
    pairs.forEach(([k, v], i) => {
      if (i > 0) this.indicator(',', false, false, false);
      if (this.column > this.bestWidth) this.writeIndent();
      if (this.simpleKey(k)) {
        this.node(k, true, true);
        this.indicator(':', false, false, false);
      } else {
        this.indicator('?', true, false, false);
        this.node(k, true, false);
        if (this.column > this.bestWidth) this.writeIndent();
        this.indicator(':', true, false, false);
      }
      this.node(v, true, false);
    });
    this.flowLevel--;
    this.popIndent();
    this.indicator('}', false, false, false);
  }

  private blockSequence(items: YNode[]): void {
    this.increaseIndent(false, this.mappingContext && !this.indention);
    for (const item of items) {
      this.writeIndent();
      this.indicator('-', true, false, true);
      this.node(item, false, false);
    }
    this.popIndent();
  }

  private blockMapping(pairs: [YNode, YNode][]): void {
    this.increaseIndent(false, false);
    for (const [k, v] of pairs) {
      this.writeIndent();
      if (this.simpleKey(k)) {
        this.node(k, true, true);
        this.indicator(':', false, false, false);
      } else {
        this.indicator('?', true, false, true);
        this.node(k, true, false);
        this.writeIndent();
        this.indicator(':', true, false, true);
      }
      this.node(v, true, false);
    }
    this.popIndent();
  }

  private scalar(n: { text: string; plainImplicit: boolean }): void {
    const cs = [...n.text];
    const a = analyze(cs);
    let style: 'plain' | 'single' | 'double' = 'plain';
    if (this.simpleKeyContext && a.multiline) style = 'double';
    if (style === 'plain') {
      if (this.flowLevel > 0 ? !a.flowPlain : !a.blockPlain) style = 'single';
      if (cs.length === 0 && (this.flowLevel > 0 || this.simpleKeyContext)) style = 'single';
      if (!n.plainImplicit) style = 'single';
    }
    if (style === 'single' && !a.singleQuoted) style = 'double';
    this.increaseIndent(true, false);
    const breaks = !this.simpleKeyContext;
    if (style === 'double') this.doubleQuoted(cs, breaks);
    else this.folded(cs, breaks, style === 'single');
    this.popIndent();
  }

  /** Plain and single-quoted text: folded at a lone space past the width, a line break written doubled. */
  private folded(cs: string[], allowBreaks: boolean, quoted: boolean): void {
    if (quoted) this.indicator("'", true, false, false);
    else if (!this.whitespace && (cs.length > 0 || this.flowLevel > 0)) this.write(' ');
    let spaces = false;
    let breaks = false;
    cs.forEach((c, i) => {
      if (c === ' ') {
        const inside = !quoted || (i > 0 && i < cs.length - 1);
        if (allowBreaks && !spaces && this.column > this.bestWidth && inside && cs[i + 1] !== ' ') this.writeIndent();
        else this.write(c);
        spaces = true;
      } else if (isBreak(c)) {
        if (!breaks && c === '\n') this.writeBreak();
        this.writeBreak(c);
        this.indention = true;
        breaks = true;
      } else {
        if (breaks) this.writeIndent();
        this.write(quoted && c === "'" ? "''" : c);
        this.indention = false;
        spaces = breaks = false;
      }
    });
    if (quoted) {
      if (breaks) this.writeIndent();
      this.indicator("'", false, false, false);
    }
    this.whitespace = false;
    this.indention = false;
  }

  private doubleQuoted(cs: string[], allowBreaks: boolean): void {
    this.indicator('"', true, false, false);
    let spaces = false;
    cs.forEach((c, i) => {
      if (!isPrintable(c) || c === '\ufeff' || isBreak(c) || c === '"' || c === '\\') {
        this.write(escaped(c));
        spaces = false;
      } else if (c === ' ') {
        const inside = i > 0 && i < cs.length - 1;
        if (allowBreaks && !spaces && this.column > this.bestWidth && inside) {
          this.writeIndent();
          if (cs[i + 1] === ' ') this.write('\\');
        } else this.write(c);
        spaces = true;
      } else {
        this.write(c);
        spaces = false;
      }
    });
    this.indicator('"', false, false, false);
    this.whitespace = false;
    this.indention = false;
  }
}

/** The text `yaml.dump(v, Dumper=AnsibleDumper, allow_unicode=True, ...)` returns. */
export function pyyamlDump(v: unknown, o: DumpOptions = {}): string {
  const root = represent(v, o);
  const indent = Math.trunc(o.indent ?? 2);
  const bestIndent = indent < 2 || indent > 9 ? 2 : indent;
  const width = Math.trunc(o.width ?? 0);
  const bestWidth = width < 0 ? Number.POSITIVE_INFINITY : width <= bestIndent * 2 ? 80 : width;
  const e = new Emitter(bestIndent, bestWidth, anchors(root));
  if (o.explicitStart) {
    e.writeIndent();
    e.indicator('---', true, false, false);
  }
  e.node(root, false, false);
  e.writeIndent();
  if (o.explicitEnd) {
    e.indicator('...', true, false, false);
    e.writeIndent();
  }
  return e.out;
}
