// Property: random host names, users, paths and var values built into any module's commands (plans and probes) stay exactly one argument each.
import test from 'ava';
import fc from 'fast-check';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Command, Fact, Module, Plan } from '../../src/sdk.js';
import { quote, sh, wrapBecome } from '../../src/command.js';
import { modules } from '../../modules/index.js';
import type { KatoInfo } from '../../modules/facts/kato.js';
import {
  fileBytes,
  fileContent,
  fileStat,
  fileStatContent,
  fileStatLeftovers,
  pathExists,
  resolvedPath,
} from '../../modules/facts/files.js';
import { portOpen } from '../../modules/facts/net.js';
import { katoConfigValue } from '../../modules/facts/kato-config.js';
import { dirHasEntries, pathKind } from '../../modules/facts/paths.js';
import { serviceState } from '../../modules/facts/service.js';
import { pathStat } from '../../modules/facts/stat.js';
import { expansionEnd, shellTokens, type Token } from './shell-words.js';

const RUNS = { numRuns: Number(process.env.STACKPLAY_FUZZ_RUNS ?? 200) };

/** Any text a shell argument can hold (no NUL), weighted towards what shells treat specially. */
const nasty = fc
  .array(
    fc.oneof(
      {
        weight: 3,
        arbitrary: fc.constantFrom(
          "'",
          '"',
          '\\',
          '$',
          '`',
          ';',
          '&',
          '|',
          '\n',
          ' ',
          '\t',
          '*',
          '?',
          '[',
          '#',
          '~',
          '(',
          ')',
          '<',
          '>',
          '!',
          '{',
          '}',
          '=',
          ',',
          '-',
          '$(id)',
          "'\\''",
          'é',
          '\u202e',
        ),
      },
      { weight: 2, arbitrary: fc.string({ maxLength: 6, unit: 'grapheme' }) },
    ),
    { minLength: 1, maxLength: 12 },
  )
  .map((a) => a.join('').replace(/\0/g, ''))
  .filter((s) => s.length > 0);
/** A value that may be given where an argument (not an option) goes: no leading "-". */
const value = nasty.filter((s) => !s.startsWith('-'));
const path = nasty.map((s) => `/${s}`);
const hostName = fc.oneof(fc.domain(), value);
/** A kato role as the schemas allow it (letters, digits, _ . -; not base or router, which have rules of their own). */
const role = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,12}$/).filter((r) => r !== 'base' && r !== 'router');
const userName = fc.oneof(fc.constantFrom('root', 'stackato', 'app-user'), value);
/** A file or folder name: any text without "/". */
const segment = nasty.map((s) => s.replaceAll('/', '_'));
/** An owner or group as the params allow it, a trailing "$" (Samba machine accounts) included. */
const owner = fc.stringMatching(/^([A-Za-z_][A-Za-z0-9_.-]*\$?|[0-9]+)$/);

/** The words a real sh gives `printf '%s\0'` for this command line after the program name. */
function realWords(args: string): string[] {
  const out = execFileSync('sh', ['-c', `printf '%s\\0' ${args}`], { encoding: 'utf8' });
  return out.split('\0').slice(0, -1);
}

test('sh`` quotes every value into one word, as a real sh reads it (and the test tokenizer agrees)', (t) => {
  fc.assert(
    fc.property(fc.array(nasty, { minLength: 1, maxLength: 4 }), (values) => {
      const args = values.map((v) => quote(v)).join(' ');
      const built = sh`printf ${values}`.text.slice('printf '.length);
      t.is(built, args);
      const real = realWords(built);
      if (JSON.stringify(real) !== JSON.stringify(values)) return false;
      const ours = shellTokens(built).map((x) => ('word' in x ? x.word : `<${x.op}>`));
      return JSON.stringify(ours) === JSON.stringify(values);
    }),
    { numRuns: 100 },
  );
  t.pass();
});

test('sudo and su wrapping keep the user one argument and the command one sh -c argument', (t) => {
  fc.assert(
    fc.property(userName, fc.array(value, { minLength: 1, maxLength: 3 }), (user, words) => {
      const inner = sh`echo ${words}`;
      const words_ = (text: string) => shellTokens(text).map((x) => ('word' in x ? x.word : `<${x.op}>`));
      const sudo = words_(wrapBecome(inner, { user, method: 'sudo' }).text);
      const su = words_(wrapBecome(inner, { user, method: 'su' }).text);
      const expectedSudo = ['sudo', '-n', ...(user === 'root' ? [] : ['-u', user]), '-H', 'sh', '-c', inner.text];
      const expectedSu = ['su', '-s', '/bin/sh', '-c', inner.text, user];
      return JSON.stringify(sudo) === JSON.stringify(expectedSudo) && JSON.stringify(su) === JSON.stringify(expectedSu);
    }),
    RUNS,
  );
  t.pass();
});

const info = (o: Partial<KatoInfo> = {}): KatoInfo => ({
  ip: '10.0.0.5',
  hostname: 'n5',
  mbusip: '127.0.0.1',
  endpoint: null,
  assigned: ['base'],
  available: ['dea', 'router'],
  ...o,
});

/**
 * How a module is planned with n free values: params and facts from the values. The plan is built
 * twice, with the random values and with plain placeholders; the commands must tokenize alike,
 * each placeholder word becoming exactly the random value, whatever it holds.
 */
interface Case {
  module: string;
  values: fc.Arbitrary<string>[];
  /** Placeholders of the same kinds (they must pass the same schemas). */
  placeholders: string[];
  params(v: string[]): Record<string, unknown>;
  facts(v: string[]): unknown;
  /**
   * The values go to plan() as they are, past the schema (its defaults come from the placeholders'
   * parse): for a param the schema keeps to safe characters, the module's quoting must hold anyway.
   */
  unchecked?: boolean;
}

const absent = { exists: false } as const;
const regularFile = (o: { owner?: string; group?: string } = {}) => ({
  exists: true,
  type: 'file',
  mode: '0644',
  owner: o.owner ?? 'root',
  group: o.group ?? 'root',
  size: 4,
});

/**
 * The in-place editors (lineinfile, blockinfile) share their plan (modules/common/edit.ts). The
 * line or block itself reaches no command: it travels in the write step, as file content.
 */
const editCases = (module: string, wanted: Record<string, unknown>): Case[] => [
  {
    // A new file in a missing folder, beside the temp file of an interrupted write.
    module,
    values: [segment, segment, path, owner, owner],
    placeholders: ['PH0', 'PH1', '/PH2', 'PH3', 'PH4'],
    params: ([dir, name, , user, group]) => ({
      path: `/${dir}/${name}`,
      ...wanted,
      create: true,
      mode: '0640',
      owner: user,
      group,
    }),
    facts: ([, , leftover]) => ({ stat: absent, current: null, leftovers: [leftover], parentExists: false }),
  },
  {
    // A changed file, backed up first; the owner and group the host reports are given back after the write.
    module,
    values: [path, value, value],
    placeholders: ['/PH0', 'PH1', 'PH2'],
    params: ([p]) => ({ path: p, ...wanted, backup: true }),
    facts: ([, user, group]) => ({
      stat: regularFile({ owner: user!, group: group! }),
      current: 'old\n',
      leftovers: [],
      parentExists: true,
    }),
  },
  {
    // A symbolic link: the file it resolves to (as the host reports it) is backed up and written.
    module,
    values: [path],
    placeholders: ['/PH0'],
    params: () => ({ path: '/etc/link', ...wanted, backup: true, owner: 'app' }),
    facts: ([real]) => ({ stat: regularFile(), current: 'old\n', leftovers: [], parentExists: true, realPath: real }),
  },
];

const CASES: Case[] = [
  {
    module: 'file',
    values: [path, path],
    placeholders: ['/PH0', '/PH1'],
    params: ([p, src]) => ({ path: p, state: 'link', src }),
    facts: () => absent,
  },
  ...(['directory', 'touch', 'absent'] as const).map((state) => ({
    module: 'file',
    values: [path],
    placeholders: ['/PH0'],
    params: ([p]: string[]) => ({
      path: p,
      state,
      ...(state === 'absent' ? {} : { mode: '0750', owner: 'app', group: 'app' }),
    }),
    facts: () =>
      state === 'absent'
        ? { exists: true, type: 'directory', mode: '0755', owner: 'root', group: 'root', size: 0 }
        : absent,
  })),
  {
    module: 'copy',
    values: [path, path, value],
    placeholders: ['/PH0', '/PH1', 'PH2'],
    params: ([dest, , content]) => ({ dest, content, mode: '0600', owner: 'app' }),
    facts: ([, leftover, content]) => ({ stat: absent, current: null, leftovers: [leftover], wanted: { content } }),
  },
  {
    module: 'mount_shared',
    values: [hostName, path, path, path],
    placeholders: ['PH0', '/PH1', '/PH2', '/PH3'],
    params: ([host, share, mp, key]) => ({ source: `root@${host}:${share}`, mount_point: mp, identity_file: key }),
    facts: () => ({
      series: '3.x',
      dirs: ['/home/stackato/stackato/data'],
      kinds: { '/home/stackato/stackato/data': { kind: 'dir' } },
      filled: {},
      mounted: null,
      fstab: null,
      info: info({ assigned: ['base', 'controller'] }),
    }),
  },
  {
    module: 'core_setup',
    values: [hostName],
    placeholders: ['PH0'],
    params: ([endpoint]) => ({ endpoint }),
    facts: () => ({ version: '3.6.2', info: info() }),
  },
  {
    module: 'static_ip',
    values: [value, value],
    placeholders: ['PH0', 'PH1'],
    params: ([iface, domain]) => ({
      address: '10.0.0.9',
      gateway: '10.0.0.1',
      interface: iface,
      dns_search_domains: [domain],
    }),
    facts: () => ({ version: '3.6.2', current: null, connectedTo: '10.0.0.5' }),
  },
  {
    module: 'migrate_core_ip',
    values: [value],
    placeholders: ['PH0'],
    params: ([iface]) => ({
      core: true,
      old_ip: '10.0.0.1',
      new_ip: '10.0.0.50',
      gateway: '10.0.0.1',
      interface: iface,
    }),
    facts: () => ({
      version: '3.6.2',
      info: info({ ip: '10.0.0.1', mbusip: '10.0.0.1', assigned: ['base', 'primary'] }),
      pool: [],
    }),
  },
  {
    module: 'command',
    values: [value, value, path],
    placeholders: ['PH0', 'PH1', '/PH2'],
    params: ([prog, arg, chdir]) => ({ argv: [prog, arg], chdir }),
    facts: () => ({}),
  },
  {
    module: 'template',
    values: [path, path, value],
    placeholders: ['/PH0', '/PH1', 'PH2'],
    params: ([dest]) => ({ src: 't.j2', dest, mode: '0644' }),
    facts: ([, leftover, content]) => ({ stat: absent, current: null, leftovers: [leftover], wanted: { content } }),
  },
  {
    module: 'wait_for',
    values: [path, value],
    placeholders: ['/PH0', 'PH1'],
    params: ([p, msg]) => ({ path: p, msg, timeout: 5 }),
    facts: () => ({ now: false }),
  },
  {
    module: 'wait_for',
    values: [hostName],
    placeholders: ['PH0'],
    params: ([host]) => ({ host, port: 8080, timeout: 5 }),
    facts: () => ({ now: false }),
  },
  {
    module: 'rename',
    values: [fc.stringMatching(/^[A-Za-z0-9]([A-Za-z0-9.-]{0,20}[A-Za-z0-9])?$/)],
    placeholders: ['ph0.example.com'],
    params: ([hostname]) => ({ hostname }),
    facts: () => ({ current: 'old' }),
  },
  {
    module: 'role_add',
    values: [role],
    placeholders: ['ph0'],
    params: ([r]) => ({ roles: [r] }),
    facts: () => ({ info: info() }),
  },
  {
    module: 'node_attach',
    values: [role],
    placeholders: ['ph0'],
    params: ([r]) => ({ core_ip: '10.0.0.1', roles: [r] }),
    facts: () => ({ version: '3.6.2', info: info({ mbusip: null }), vars: {} }),
  },
  {
    module: 'own_hostname',
    values: [fc.stringMatching(/^[A-Za-z0-9]([A-Za-z0-9.-]{0,20}[A-Za-z0-9])?$/)],
    placeholders: ['ph0.example.com'],
    params: ([name]) => ({ name }),
    facts: () => ({ file: 'old\n', hosts: '', running: 'old', info: info() }),
  },
  {
    // The IPs come from kato's output (`kato node list --json`), not from a schema: any text must stay one argument.
    module: 'cluster_members',
    values: [value],
    placeholders: ['PH0'],
    params: () => ({ nodes: {}, prune: true }),
    facts: ([ip]) => ({ version: '3.6.2', info: info(), listed: { [ip!]: { roles: ['base', 'dea'], names: [] } } }),
  },
  {
    module: 'role_remove',
    values: [role],
    placeholders: ['ph0'],
    params: ([r]) => ({ roles: [r] }),
    facts: ([r]) => ({ info: info({ assigned: ['base', r!] }) }),
  },
  ...editCases('lineinfile', { line: 'new' }),
  ...editCases('blockinfile', { block: 'new' }),
  // Every command the service module has: the init system's boot switch both ways, and its control
  // command. The schema keeps a name to safe characters, so any name is tried past it.
  ...(['systemd', 'upstart', 'sysv'] as const).flatMap((init) =>
    [true, false].map((enabled) => ({
      module: 'service',
      unchecked: true,
      values: [value],
      placeholders: ['PH0'],
      params: ([name]: string[]) => ({ name, state: 'restarted', enabled }),
      facts: () => ({ init, running: true, enabled: !enabled, status: '' }),
    })),
  ),
];

const shape = (tokens: Token[]) => tokens.map((x) => ('op' in x ? `<${x.op}>` : x.word));

/** The exec command texts of a plan, and for a command run through `sh -c`, the script inside too. */
function commandsOf(p: Plan): string[] {
  return p.steps.flatMap((s) => (s.kind === 'exec' ? [s.cmd.text] : []));
}

const regexEscape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The placeholders in `w` replaced by their values in one pass (a value holding a placeholder's text stays as it is). */
function substitute(w: string, placeholders: string[], values: string[]): string {
  const re = new RegExp(
    [...placeholders]
      .sort((a, b) => b.length - a.length)
      .map(regexEscape)
      .join('|'),
    'g',
  );
  return w.replace(re, (ph) => values[placeholders.indexOf(ph)]!);
}

/**
 * Whether word `got` is word `base` with the values in place of the placeholders. A command
 * substitution `$(...)` in a word is a command line of its own: compared inside, the same way.
 */
function sameWord(base: string, got: string, placeholders: string[], values: string[]): boolean {
  let b = 0;
  let g = 0;
  for (;;) {
    const at = base.indexOf('$(', b);
    const literal = substitute(base.slice(b, at < 0 ? undefined : at), placeholders, values);
    if (!got.startsWith(literal, g)) return false;
    g += literal.length;
    if (at < 0) return g === got.length;
    if (!got.startsWith('$(', g)) return false;
    const baseEnd = expansionEnd(base, at);
    const gotEnd = expansionEnd(got, g);
    if (!sameShape(base.slice(at + 2, baseEnd), got.slice(g + 2, gotEnd), placeholders, values)) return false;
    b = baseEnd + 1;
    g = gotEnd + 1;
  }
}

function sameShape(a: string, b: string, placeholders: string[], values: string[]): boolean {
  const pa = shape(shellTokens(a));
  const pb = shape(shellTokens(b));
  if (pa.length !== pb.length) return false;
  // A script given to `sh -c` is itself a command line: compared inside.
  return pa.every(
    (w, i) =>
      sameWord(w, pb[i]!, placeholders, values) || (pa[i - 1] === '-c' && sameShape(w, pb[i]!, placeholders, values)),
  );
}

for (const [n, c] of CASES.entries()) {
  test(`${c.module} #${n + 1}: random values stay one argument each in every command of the plan`, (t) => {
    const m = modules.get(c.module) as Module;
    const parsed = (v: string[]) =>
      c.unchecked
        ? { ...(m.params.parse(c.params(c.placeholders)) as object), ...c.params(v) }
        : m.params.parse(c.params(v));
    const planWith = (v: string[]) => m.plan(c.facts(v), parsed(v));
    const base = commandsOf(planWith(c.placeholders));
    t.true(base.length > 0, 'the case plans no command: it tests nothing');
    t.true(
      base.some((cmd) => c.placeholders.some((ph) => cmd.includes(ph))),
      'no value reaches a command: it tests nothing',
    );
    fc.assert(
      fc.property(fc.tuple(...c.values), (vs) => {
        fc.pre(c.unchecked || m.params.safeParse(c.params(vs)).success);
        const got = commandsOf(planWith(vs));
        return got.length === base.length && base.every((b, i) => sameShape(b, got[i]!, c.placeholders, vs));
      }),
      RUNS,
    );
  });
}

/** Modules with no case above, and why: a new module must join one list or the other. */
const NOT_CASES: Record<string, string> = {
  shell: 'its param is a shell script by design',
  assert: 'builds no command',
  debug: 'builds no command',
  setup: 'builds no command; its one probe takes no argument',
  set_fact: 'builds no command (runs on the controller, returns facts)',
  verify_nodes: 'builds no command (reads facts only)',
  kato_facts: 'builds no command (reads facts only)',
  node_remove: 'only IPv4 addresses reach its commands (the schema checks them)',
  lb_setup: 'only IPv4 addresses reach its commands (the schema checks them)',
  firewall: 'only a CIDR and fixed rules reach its commands (the schema checks them)',
  stat: 'plans no step (it only reads); its probe path_stat has a case in PROBE_CASES',
  fetch: 'plans no command: its one step writes on the controller; its probe file_bytes has a case in PROBE_CASES',
  config_backup:
    'plans no command: its one step writes on the controller; its probe kato_config_dump takes no argument',
};

test('every registered module has a case or a reason', (t) => {
  const covered = new Set(CASES.map((c) => c.module));
  t.deepEqual(
    [...modules.keys()].filter((m) => !covered.has(m) && !Object.hasOwn(NOT_CASES, m)),
    [],
  );
});

/** How a probe's command is built with n free values (placeholders as above). */
interface ProbeCase {
  fact: string;
  values: fc.Arbitrary<string>[];
  placeholders: string[];
  command(v: string[]): Command;
}

const probeCase = <A extends unknown[]>(
  fact: Fact<unknown, A>,
  values: fc.Arbitrary<string>[],
  placeholders: string[],
  args: (v: string[]) => A,
): ProbeCase => ({ fact: fact.name, values, placeholders, command: (v) => fact.command(...args(v)) });

/** A probe of a path: folder and file name random, so the paths it derives (temp files beside it) are checked too. */
const pathProbe = <A extends unknown[]>(fact: Fact<unknown, [string, ...A]>, ...rest: A): ProbeCase =>
  probeCase(fact, [segment, segment], ['PH0', 'PH1'], ([dir, name]) => [`/${dir}/${name}`, ...rest]);

/** Probes of gather, tried with any text (wider than the modules' schemas): their quoting must not lean on a schema. */
const PROBE_CASES: ProbeCase[] = [
  pathProbe(fileStat),
  pathProbe(fileStatContent),
  pathProbe(fileStatLeftovers),
  pathProbe(fileContent),
  pathProbe(pathExists),
  pathProbe(fileBytes),
  pathProbe(resolvedPath),
  pathProbe(pathKind),
  pathProbe(dirHasEntries),
  pathProbe(pathStat, { follow: false, checksum: 'sha1', mime: true, attributes: true }),
  pathProbe(pathStat, { follow: true, checksum: 'sha512', mime: true, attributes: true }),
  probeCase(serviceState, [value], ['PH0'], ([name]) => [name!]),
  probeCase(portOpen, [hostName], ['PH0'], ([host]) => [host!, 22]),
  probeCase(katoConfigValue, [value, value], ['PH0', 'PH1'], ([component, path]) => [component!, path!]),
];

for (const [n, c] of PROBE_CASES.entries()) {
  test(`probe ${c.fact} #${n + 1}: random values stay one argument each in its command`, (t) => {
    const base = c.command(c.placeholders).text;
    t.true(
      c.placeholders.every((ph) => base.includes(ph)),
      'a value does not reach the command: it tests nothing',
    );
    fc.assert(
      fc.property(fc.tuple(...c.values), (vs) => sameShape(base, c.command(vs).text, c.placeholders, vs)),
      RUNS,
    );
  });
}

/** Probes with no case above, and why. */
const NOT_PROBE_CASES: Record<string, string> = {
  iptables_chain: 'takes no argument (the chain name is a constant)',
  kato_status_settled: "takes a number only (verify_nodes' settle, a whole number of seconds by its schema)",
};

const isFact = (x: unknown): x is Fact<unknown, unknown[]> =>
  typeof x === 'object' && x !== null && 'command' in x && 'parse' in x && 'name' in x;

test('every probe defined under modules/ has a case, takes no argument, or has a reason', async (t) => {
  const dir = fileURLToPath(new URL('../../modules/', import.meta.url));
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
  const defined = files.flatMap((f) =>
    [...readFileSync(join(dir, f), 'utf8').matchAll(/defineFact\(\{\s*name: '([^']+)'/g)].map((m) => m[1]!),
  );
  t.true(
    PROBE_CASES.every((c) => defined.includes(c.fact)),
    'a case names a probe the scan did not find: the scan is broken',
  );
  const exported = new Map<string, Fact<unknown, unknown[]>>();
  for (const f of files)
    for (const x of Object.values(await import(pathToFileURL(join(dir, f)).href)))
      if (isFact(x)) exported.set(x.name, x);
  const covered = new Set(PROBE_CASES.map((c) => c.fact));
  t.deepEqual(
    defined.filter(
      (name) => !covered.has(name) && exported.get(name)?.command.length !== 0 && !Object.hasOwn(NOT_PROBE_CASES, name),
    ),
    [],
  );
});
