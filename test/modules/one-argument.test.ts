// Property: random host names, users, paths and var values built into any module's command stay exactly one argument each.
import test from 'ava';
import fc from 'fast-check';
import { execFileSync } from 'node:child_process';
import type { Module, Plan } from '../../src/sdk.js';
import { quote, sh, wrapBecome } from '../../src/command.js';
import { modules } from '../../modules/index.js';
import type { KatoInfo } from '../../modules/facts/kato.js';
import { shellTokens, type Token } from './shell-words.js';

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

test('sudo wrapping keeps the user one argument and the command one sh -c argument', (t) => {
  fc.assert(
    fc.property(userName, fc.array(value, { minLength: 1, maxLength: 3 }), (user, words) => {
      const inner = sh`echo ${words}`;
      const wrapped = wrapBecome(inner, { user }).text;
      const tokens = shellTokens(wrapped).map((x) => ('word' in x ? x.word : `<${x.op}>`));
      const expected = ['sudo', '-n', ...(user === 'root' ? [] : ['-u', user]), '-H', 'sh', '-c', inner.text];
      return JSON.stringify(tokens) === JSON.stringify(expected);
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
}

const absent = { exists: false } as const;
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
      mounted: false,
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
    params: ([iface]) => ({ old_ip: '10.0.0.1', new_ip: '10.0.0.50', gateway: '10.0.0.1', interface: iface }),
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
    module: 'role_remove',
    values: [role],
    placeholders: ['ph0'],
    params: ([r]) => ({ roles: [r] }),
    facts: ([r]) => ({ info: info({ assigned: ['base', r!] }) }),
  },
];

const shape = (tokens: Token[]) => tokens.map((x) => ('op' in x ? `<${x.op}>` : x.word));

/** The exec command texts of a plan, and for a command run through `sh -c`, the script inside too. */
function commandsOf(p: Plan): string[] {
  return p.steps.flatMap((s) => (s.kind === 'exec' ? [s.cmd.text] : []));
}

function sameShape(a: string, b: string, placeholders: string[], values: string[]): boolean {
  const pa = shape(shellTokens(a));
  const pb = shape(shellTokens(b));
  if (pa.length !== pb.length) return false;
  return pa.every((w, i) => {
    let want = w;
    placeholders.forEach((ph, k) => {
      want = want.split(ph).join(values[k]!);
    });
    if (want === pb[i]) return true;
    // A script given to `sh -c` is itself a command line: compare inside it.
    return pa[i - 1] === '-c' && sameShape(w, pb[i]!, placeholders, values);
  });
}

for (const [n, c] of CASES.entries()) {
  test(`${c.module} #${n + 1}: random values stay one argument each in every command of the plan`, (t) => {
    const m = modules.get(c.module) as Module;
    const planWith = (v: string[]) => m.plan(c.facts(v), m.params.parse(c.params(v)));
    const base = commandsOf(planWith(c.placeholders));
    t.true(base.length > 0, 'the case plans no command: it tests nothing');
    t.true(
      base.some((cmd) => c.placeholders.some((ph) => cmd.includes(ph))),
      'no value reaches a command: it tests nothing',
    );
    fc.assert(
      fc.property(fc.tuple(...c.values), (vs) => {
        fc.pre(m.params.safeParse(c.params(vs)).success);
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
  set_fact: 'builds no command (runs on the controller, returns facts)',
  verify_nodes: 'builds no command (reads facts only)',
  kato_facts: 'builds no command (reads facts only)',
  node_remove: 'only IPv4 addresses reach its commands (the schema checks them)',
  lb_setup: 'only IPv4 addresses reach its commands (the schema checks them)',
  firewall: 'only a CIDR and fixed rules reach its commands (the schema checks them)',
};

test('every registered module has a case or a reason', (t) => {
  const covered = new Set(CASES.map((c) => c.module));
  t.deepEqual(
    [...modules.keys()].filter((m) => !covered.has(m) && !Object.hasOwn(NOT_CASES, m)),
    [],
  );
});
