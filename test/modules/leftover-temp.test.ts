// Leftover temp files of an interrupted write (.<name>.stackplay-<12 hex> beside dest): found by copy and template's one probe, removed as a visible step.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copy } from '../../modules/copy.js';
import { template } from '../../modules/template.js';
import { planContent } from '../../modules/common/content.js';
import { fileStatContent, fileStatLeftovers, tempPrefixFor } from '../../modules/facts/files.js';
import { table } from './macro.js';

const HEX = '0123456789ab';
const OTHER = 'fedcba987654';
const FRESH = 'aaaaaaaaaaaa';

/** Files untouched for 10 minutes: old enough to be leftovers (LEFTOVER_MINUTES), were their names right. */
const old = (content: string) => ({ content, minutesOld: 10 });
const leftover = (name: string, content = 'half a fi') => ({ [`/etc/.${name}.stackplay-${HEX}`]: old(content) });

table(copy, [
  {
    title: 'a leftover temp file beside an up-to-date file is removed, and that is a change',
    params: { dest: '/etc/motd', content: 'hi\n' },
    host: { files: { '/etc/motd': 'hi\n', ...leftover('motd') } },
    steps: [
      {
        title: `remove leftover temp file /etc/.motd.stackplay-${HEX} of an interrupted write`,
        cmd: `rm -f -- /etc/.motd.stackplay-${HEX}`,
      },
    ],
    after: (t, host) => t.deepEqual(host.list('/etc'), ['motd']),
  },
  {
    title: 'leftovers go first, then the write; other files that look alike stay',
    params: { dest: '/etc/motd', content: 'new\n' },
    host: {
      files: {
        '/etc/motd': 'old\n',
        ...leftover('motd'),
        [`/etc/.motd.stackplay-${OTHER}`]: old(''),
        '/etc/.motd.stackplay-short': old(''),
        [`/etc/.motd.stackplay-${HEX}0`]: old(''),
        [`/etc/.motdx.stackplay-${HEX}`]: old(''),
        [`/etc/.motd.stackplay-${HEX.toUpperCase()}`]: old(''),
      },
    },
    steps: [
      `remove leftover temp file /etc/.motd.stackplay-${HEX} of an interrupted write`,
      `remove leftover temp file /etc/.motd.stackplay-${OTHER} of an interrupted write`,
      'update /etc/motd',
      'keep owner root:root',
    ],
    after: (t, host) =>
      t.deepEqual(host.list('/etc'), [
        '.motd.stackplay-0123456789AB',
        '.motd.stackplay-0123456789ab0',
        '.motd.stackplay-short',
        `.motdx.stackplay-${HEX}`,
        'motd',
      ]),
  },
  {
    title: 'a leftover of a file that was never created is removed before the create',
    params: { dest: '/etc/new.conf', content: 'x\n' },
    host: { files: leftover('new.conf') },
    steps: [
      `remove leftover temp file /etc/.new.conf.stackplay-${HEX} of an interrupted write`,
      'create /etc/new.conf',
    ],
  },
  {
    title: 'no leftover: the plan is as before',
    params: { dest: '/etc/motd', content: 'hi\n' },
    host: { files: { '/etc/motd': 'hi\n' } },
    note: '/etc/motd is up to date',
  },
]);

table(template, [
  {
    title: 'template removes a leftover too',
    params: { dest: '/etc/app.conf', src: 't.hbs' },
    local: { 't.hbs': 'name={{ name }}\n' },
    vars: { name: 'a' },
    host: { files: { '/etc/app.conf': 'name=a\n', ...leftover('app.conf') } },
    steps: [`remove leftover temp file /etc/.app.conf.stackplay-${HEX} of an interrupted write`],
  },
]);

test('the plan in check mode shows the removal (planContent is pure)', (t) => {
  const facts = {
    stat: { exists: false } as const,
    leftovers: [`/srv/.a b.stackplay-${HEX}`],
    wanted: { content: 'x' },
  };
  const plan = planContent(facts, { dest: '/srv/a b', secret: false });
  t.deepEqual(
    plan.steps.map((s) => s.title),
    [`remove leftover temp file /srv/.a b.stackplay-${HEX} of an interrupted write`, 'create /srv/a b'],
  );
  const first = plan.steps[0];
  t.is(first?.kind === 'exec' ? first.cmd.text : '', `rm -f -- '/srv/.a b.stackplay-${HEX}'`);
  t.deepEqual(
    planContent({ ...facts, leftovers: [] }, { dest: '/srv/a b', secret: false }).steps.map((s) => s.title),
    ['create /srv/a b'],
  );
});

test('the probe reads leftovers from stderr, exact names only; stdout keeps its shape', (t) => {
  const stderr = [
    `/etc/.motd.stackplay-${HEX}`,
    '/etc/.motd.stackplay-*',
    `/etc/.motd.stackplay-${HEX}0`,
    `x/etc/.motd.stackplay-${OTHER}`,
    'sudo: unable to resolve host',
    `/etc/.motd.stackplay-${OTHER}`,
    '',
  ].join('\n');
  const r = fileStatContent.parse(
    { code: 0, stdout: `regular file|644|root|root|3\n${'a'.repeat(64)}  /etc/motd\nhi\n`, stderr },
    '/etc/motd',
  );
  t.deepEqual(r.leftovers, [`/etc/.motd.stackplay-${HEX}`, `/etc/.motd.stackplay-${OTHER}`]);
  t.is(r.content, 'hi\n');
  const sum = fileStatLeftovers.parse(
    { code: 0, stdout: `regular file|644|root|root|3\n${'a'.repeat(64)}  /etc/motd\n`, stderr },
    '/etc/motd',
  );
  t.deepEqual(sum.leftovers, r.leftovers);
  t.like(sum.stat, { exists: true, size: 3, sha256: 'a'.repeat(64) });
  t.deepEqual(fileStatContent.parse({ code: 0, stdout: 'absent\n', stderr: '/etc/.motd.stackplay-*\n' }, '/etc/motd'), {
    stat: { exists: false },
    content: null,
    leftovers: [],
  });
  t.is(tempPrefixFor('/motd'), '/.motd.stackplay-');
});

test('the real probe under /bin/sh finds exactly the leftovers of dest (untouched for minutes; a fresh one may be a write in flight), also with spaces and glob characters in the name', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'stackplay-leftover-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  for (const name of ['a b[1]*.conf', 'plain']) {
    const dest = join(dir, name);
    writeFileSync(dest, 'content\n');
    const want = [`.${name}.stackplay-${HEX}`, `.${name}.stackplay-${OTHER}`];
    const old = new Date(Date.now() - 10 * 60_000);
    for (const f of [
      ...want,
      `.${name}.stackplay-${HEX}0`,
      `.${name}.stackplay-abc`,
      `.${name}x.stackplay-${HEX}`,
      `.${name}.stackplay-${HEX.toUpperCase()}`,
    ]) {
      writeFileSync(join(dir, f), '');
      utimesSync(join(dir, f), old, old);
    }
    // Written a moment ago: perhaps another host's write in flight to the same file on shared storage.
    writeFileSync(join(dir, `.${name}.stackplay-${FRESH}`), 'in flight');
    // copy and template's probe (no content), and the editors' (with it).
    for (const fact of [fileStatLeftovers, fileStatContent]) {
      const cmd = fact.command(dest);
      const probe = (): { stdout: string; stderr: string } => {
        const r = execFileSync('/bin/sh', ['-c', `(${cmd.text}) 2>${join(dir, 'err')}`], { encoding: 'utf8' });
        const stderr = execFileSync('cat', [join(dir, 'err')], { encoding: 'utf8' });
        return { stdout: r, stderr };
      };
      const r = fact.parse({ code: 0, ...probe() }, dest);
      t.deepEqual(r.leftovers, want.map((f) => join(dir, f)).sort(), `${fact.name} ${name}`);
      t.like(r.stat, { exists: true, size: 8 });
      t.is('content' in r ? r.content : 'content\n', 'content\n');
    }
  }
  mkdirSync(join(dir, 'empty'));
  const none = execFileSync('/bin/sh', ['-c', `(${fileStatContent.command(join(dir, 'empty', 'x')).text}) 2>&1`], {
    encoding: 'utf8',
  });
  t.deepEqual(
    fileStatContent.parse(
      { code: 0, stdout: 'absent\n', stderr: none.replace(/absent\n$/, '') },
      join(dir, 'empty', 'x'),
    ).leftovers,
    [],
  );
  t.true(readdirSync(join(dir, 'empty')).length === 0);
});
