// Ansible-compatible INI inventory reader that keeps line and column for every host, group and var.
import { diag, type Diagnostic, type Span } from '../errors.js';
import { SECRET_VAR } from '../report/redact.js';
import { didYouMean } from '../suggest.js';
import { addChild, addHostToGroup, declareGroup, ensureGroup, ensureHost, setVar, type Draft } from './draft.js';
import { parseHostEntry } from './host-pattern.js';
import { parseValue, splitWords, type LexError } from './ini-lex.js';

type Section = { kind: 'hosts' | 'children' | 'vars'; group: string } | { kind: 'skip' };

const SECTION_HINT = 'a section header is [name], [name:children] or [name:vars], with no spaces inside the brackets';
/** Ansible's section regex: a line that does not match it is a host line, unless it is a whole [..] (then an error). */
const SECTION = /^\[([^:\]\s]+)(?::(\w+))?\]\s*(?:#.*)?$/;

const isIpv6HostLine = (line: string): boolean => {
  const m = /^\[([0-9a-fA-F:.]+)\](:\d+)?(\s|$)/.exec(line);
  return !!m && (m[1]!.match(/:/g)?.length ?? 0) >= 2;
};

interface LineCtx {
  d: Draft;
  file: string;
  line: number;
  /** Column of the first non-blank character. */
  col: number;
}

const spanIn = (c: LineCtx, col: number, length: number): Span => ({
  file: c.file,
  line: c.line,
  col,
  endLine: c.line,
  endCol: col + Math.max(1, length),
});

function lexError(c: LineCtx, e: LexError, offset: number): void {
  c.d.diagnostics.push(
    diag(
      e.code ?? 'E_INVENTORY_QUOTE',
      e.message,
      spanIn(c, offset + e.col - 1, 1),
      e.hint ?? 'close the quote, or escape it with a backslash',
    ),
  );
}

function readHeader(c: LineCtx, text: string): Section {
  const at = spanIn(c, c.col, text.length);
  const m = SECTION.exec(text);
  if (!m) {
    c.d.diagnostics.push(diag('E_INVENTORY_SECTION', `bad section header ${JSON.stringify(text)}`, at, SECTION_HINT));
    return { kind: 'skip' };
  }
  const group = m[1]!;
  const suffix = m[2];
  if (suffix === undefined || suffix === 'hosts' || suffix === 'children') {
    declareGroup(c.d, group, at);
    return { kind: suffix === 'children' ? 'children' : 'hosts', group };
  }
  if (suffix === 'vars') {
    ensureGroup(c.d, group);
    c.d.refs.push({ kind: 'vars', group, at });
    return { kind: 'vars', group };
  }
  const known = ['children', 'vars', 'hosts'];
  const guess = known.find((k) => suffix && (k.startsWith(suffix) || suffix.startsWith(k)));
  const hint =
    (guess ? `did you mean "${guess}"?` : didYouMean(suffix, known)) ??
    'the known section types are :children, :vars and :hosts';
  c.d.diagnostics.push(
    diag('E_INVENTORY_SECTION', `unknown section type ":${suffix}" in [${group}:${suffix}]`, at, hint),
  );
  return { kind: 'skip' };
}

function readHostLine(c: LineCtx, text: string, group: string): void {
  const { words, error } = splitWords(text);
  if (error) {
    lexError(c, error, c.col);
    return;
  }
  const [first, ...rest] = words;
  if (!first) return;
  const hostAt = spanIn(c, c.col + first.col - 1, first.raw.length);
  if (first.text.includes('=')) {
    c.d.diagnostics.push(
      diag(
        'E_INVENTORY_HOST',
        `a host line starts with the host name, not "${first.raw}"`,
        hostAt,
        `put the name first, e.g. web1 ${first.raw}`,
      ),
    );
    return;
  }
  if (first.text === '---') {
    c.d.diagnostics.push(
      diag(
        'E_INVENTORY_HOST',
        'a host named "---" is a sign that this is a YAML file',
        hostAt,
        'name the file .yml, or remove the line',
      ),
    );
    return;
  }
  const entry = parseHostEntry(first.text, hostAt);
  c.d.diagnostics.push(...entry.diagnostics);
  if (entry.diagnostics.some((x) => x.severity === 'error')) return;
  // As Ansible: each word is split at its first "=" after unquoting; any non-empty name is a var name.
  const vars: Array<[string, unknown, Span]> = [];
  for (const w of rest) {
    const at = spanIn(c, c.col + w.col - 1, w.raw.length);
    const eq = w.text.indexOf('=');
    if (eq <= 0) {
      const why =
        eq < 0 ? `expected key=value after host "${first.raw}", got "${w.raw}"` : `"${w.raw}" has no variable name`;
      c.d.diagnostics.push(
        diag('E_INVENTORY_VAR', why, at, 'inline host vars are key=value; quote values that hold spaces: key="a b"'),
      );
      continue;
    }
    const v = parseValue(w.text.slice(eq + 1));
    if ('error' in v) {
      lexError(c, v.error, c.col + w.col + eq);
      continue;
    }
    vars.push([w.text.slice(0, eq), v.value, at]);
  }
  for (const name of entry.hosts) {
    const known = c.d.inv.hosts.has(name);
    const host = ensureHost(c.d, name, hostAt);
    addHostToGroup(c.d, group, name);
    // The port of a host's first entry is kept, as Ansible's Host keeps the port it was made with.
    if (entry.port !== undefined && !known) setVar(host, 'ansible_port', entry.port, hostAt);
    for (const [k, v, at] of vars) setVar(host, k, v, at);
  }
}

function readChildLine(c: LineCtx, text: string, parent: string): void {
  const m = /^([^:\]\s[]+)\s*(?:[#;].*)?$/.exec(text);
  const at = spanIn(c, c.col, m ? m[1]!.length : text.length);
  if (!m) {
    c.d.diagnostics.push(
      diag(
        'E_INVENTORY_GROUP_NAME',
        `expected a group name in [${parent}:children], got ${JSON.stringify(text)}`,
        at,
        'list one group name per line in a :children section (hosts go in [name] sections)',
      ),
    );
    return;
  }
  addChild(c.d, parent, m[1]!, at);
  c.d.refs.push({ kind: 'child', group: m[1]!, parent, at });
}

/** `name = value` as Ansible reads it: split at the first "=", both sides trimmed, the value by literal_eval (no shell quoting, no comment cutting). */
function readVarLine(c: LineCtx, text: string, group: string): void {
  const eq = text.indexOf('=');
  const key = eq < 0 ? '' : text.slice(0, eq).trim();
  const at = spanIn(c, c.col, eq < 0 ? text.length : Math.max(1, key.length));
  if (eq < 0 || !key) {
    const why =
      eq < 0
        ? `expected key=value in [${group}:vars], got ${JSON.stringify(text)}`
        : `a line of [${group}:vars] has no variable name`;
    c.d.diagnostics.push(diag('E_INVENTORY_VAR', why, at, 'each line of a :vars section is name=value'));
    return;
  }
  const after = text.slice(eq + 1);
  const lead = after.length - after.trimStart().length;
  const v = parseValue(after.trim());
  if ('error' in v) {
    lexError(c, v.error, c.col + eq + 1 + lead);
    return;
  }
  setVar(ensureGroup(c.d, group), key, v.value, at);
}

/** Reads one INI inventory file into the draft. */
export function readIniInventory(file: string, text: string, d: Draft): void {
  let section: Section = { kind: 'hosts', group: 'ungrouped' };
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const trimmed = raw.trim();
    if (!trimmed || trimmed.startsWith('#') || trimmed.startsWith(';')) continue;
    const c: LineCtx = { d, file, line: i + 1, col: raw.length - raw.trimStart().length + 1 };
    const before = d.diagnostics.length;
    const header = SECTION.test(trimmed) || (trimmed.startsWith('[') && trimmed.endsWith(']'));
    if (header && !isIpv6HostLine(trimmed)) {
      section = readHeader(c, trimmed);
    } else if (section.kind === 'hosts') {
      readHostLine(c, trimmed, section.group);
    } else if (section.kind === 'children') {
      readChildLine(c, trimmed, section.group);
    } else if (section.kind === 'vars') {
      readVarLine(c, trimmed, section.group);
    }
    if (d.diagnostics.length > before && holdsSecret(trimmed)) hideQuoted(d.diagnostics, before, trimmed);
  }
}

/** A line that names a secret var (ansible_password=..., api_token ...): what it holds is never quoted back. */
const holdsSecret = (line: string): boolean => line.split(/[\s="']+/).some((w) => SECRET_VAR.test(w));

/** Masks quoted text in the diagnostics about a secret line, except the line's first word (a host or var name). */
function hideQuoted(ds: Diagnostic[], from: number, line: string): void {
  const first = line.split(/\s+/)[0];
  for (let i = from; i < ds.length; i++) {
    const d = ds[i]!;
    ds[i] = {
      ...d,
      message: d.message.replace(/"(?:[^"\\]|\\.)*"/g, (q) =>
        q === `"${first}"` ? q : '"********" (not shown: the line sets a secret)',
      ),
    };
  }
}
