// lineinfile, blockinfile and stat against ansible-playbook itself: the same tasks on copies of the same files, compared.
import test from 'ava';
import { spawn } from 'node:child_process';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
  existsSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { stringify } from 'yaml';
import { ensureAnsible } from '../helpers/ansible-core.js';
import { runCli } from '../integration/cli.js';

interface Case {
  title: string;
  module: 'lineinfile' | 'blockinfile' | 'stat';
  /** Params; the string D in them is the case's folder. */
  args: Record<string, unknown>;
  /** The input file f (null: none), and its mode. */
  file?: string | null;
  mode?: number;
  /** Extra setup in the folder (links, folders). */
  setup?: (dir: string) => void;
}

const F = 'D/f';
const li = (title: string, file: string | null, args: Record<string, unknown>, mode?: number): Case => ({
  title,
  module: 'lineinfile',
  file,
  args: { path: F, ...args },
  ...(mode ? { mode } : {}),
});
const bi = (title: string, file: string | null, args: Record<string, unknown>): Case => ({
  title,
  module: 'blockinfile',
  file,
  args: { path: F, ...args },
});
const st = (title: string, args: Record<string, unknown>, setup?: (dir: string) => void, mode?: number): Case => ({
  title,
  module: 'stat',
  file: 'some text\n',
  args,
  ...(setup ? { setup } : {}),
  ...(mode ? { mode } : {}),
});
const BLOCK = '# BEGIN ANSIBLE MANAGED BLOCK\nold\n# END ANSIBLE MANAGED BLOCK\n';

const cases: Case[] = [
  li('append at EOF', 'a\nb\n', { line: 'c' }),
  li('append to a file without a final newline', 'a\nb', { line: 'c' }),
  li('regexp replaces the last match', 'port=1\nx\nport=2\n', { regexp: '^port=', line: 'port=9' }),
  li('firstmatch', 'port=1\nx\nport=2\n', { regexp: '^port=', line: 'port=9', firstmatch: true }),
  li('CRLF file, regexp', 'a\r\nport=1\r\n', { regexp: '^port=', line: 'port=2' }),
  li('CRLF file, $ before \\r\\n', 'port=1\r\n', { regexp: '^port=1$', line: 'port=2' }),
  li('CRLF file, the same line', 'a\r\nb\r\n', { line: 'b' }),
  li('. matches \\r', 'key=1\r\n', { regexp: '^key=.$', line: 'key=2' }),
  li('insertafter a regexp', 'a\nb\nc\n', { line: 'X', insertafter: '^b' }),
  li('insertafter without a match goes to EOF', 'a\nb\n', { line: 'X', insertafter: '^zz' }),
  li('insertafter, the line already follows', 'a\nX\nb\n', { line: 'X', insertafter: '^a' }),
  li('insertbefore a regexp', 'a\nb\nc\n', { line: 'X', insertbefore: '^b' }),
  li('insertbefore BOF', 'a\n', { line: 'X', insertbefore: 'BOF' }),
  li('backrefs', 'listen 80\n', { regexp: '^listen (\\d+)$', line: 'listen \\1 ssl', backrefs: true }),
  li('backrefs with a named group', 'k = v\n', {
    regexp: '^(?P<key>\\w+) = (.*)$',
    line: '\\g<key>=\\2',
    backrefs: true,
  }),
  li('backrefs without a match', 'a\n', { regexp: '^b(.)', line: '\\1', backrefs: true }),
  li('search_string', 'a\nfoo=1\n', { search_string: 'foo=', line: 'foo=2' }),
  li('absent by regexp', 'a\n#x\nb\n#y\n', { regexp: '^#', state: 'absent' }),
  li('absent by line', 'a\nb\r\na\n', { line: 'a', state: 'absent' }),
  li('absent, nothing matches', 'a\n', { line: 'z', state: 'absent' }),
  li('already present', 'a\nb\n', { line: 'a' }),
  li('create', null, { line: 'first', create: true }),
  li('create with a mode', null, { line: 'first', create: true, mode: '0600' }),
  li('create with the default mode', null, { line: 'first', create: true, mode: '0644' }),
  li('missing without create', null, { line: 'x' }),
  li('absent on a missing file', null, { line: 'x', state: 'absent' }),
  li('mode only', 'a\n', { line: 'a', mode: '0640' }, 0o600),
  li('line and mode', 'a\n', { line: 'b', mode: '0640' }, 0o600),
  {
    ...li('through a symbolic link: the target is edited', 'a\n', { path: 'D/link', line: 'b' }),
    setup: (d) => symlinkSync('f', join(d, 'link')),
  },
  {
    ...li('a link to a folder', null, { path: 'D/link', line: 'b' }),
    setup: (d) => {
      mkdirSync(join(d, 'dir'));
      symlinkSync('dir', join(d, 'link'));
    },
  },
  bi('new block at EOF', 'a\n', { block: 'x\ny' }),
  bi('file without a final newline', 'a', { block: 'x' }),
  bi('replace a block', `a\n${BLOCK}b\n`, { block: 'new\n' }),
  bi('block already there', `a\n${BLOCK}`, { block: 'old' }),
  bi('insertbefore BOF', 'a\n', { block: 'x', insertbefore: 'BOF' }),
  bi('insertafter the last match', 'a\nb\na\nc\n', { block: 'x', insertafter: '^a' }),
  bi('insertbefore a regexp', 'a\nb\n', { block: 'x', insertbefore: '^b' }),
  bi('(?m) insertafter with \\n', 'a\nb\nc\n', { block: 'x', insertafter: '(?m)^b\\n' }),
  bi('(?m) insertbefore', 'a\nb\nc\n', { block: 'x', insertbefore: '(?m)^b$' }),
  bi('custom markers', 'a\n', { block: 'x', marker: '## {mark} sp', marker_begin: 'start', marker_end: 'stop' }),
  bi('absent', `a\n${BLOCK}b\n`, { state: 'absent' }),
  bi('empty block removes', `a\n${BLOCK}`, { block: '' }),
  bi('create', null, { block: 'x', create: true }),
  bi('missing without create', null, { block: 'x' }),
  bi('block and mode', 'a\n', { block: 'x', mode: '0600' }),
  bi('CRLF file', 'a\r\nb\r\n', { block: 'x' }),
  {
    ...bi('through a symbolic link', 'a\n', { path: 'D/link', block: 'x' }),
    setup: (d) => symlinkSync('f', join(d, 'link')),
  },
  st('a regular file', { path: F }),
  st('sha256 and an executable', { path: F, checksum_algorithm: 'sha256' }, undefined, 0o755),
  st('missing', { path: 'D/none' }),
  st('a folder', { path: 'D/dir' }, (d) => mkdirSync(join(d, 'dir'), { mode: 0o750 })),
  st('a link, not followed', { path: 'D/link' }, (d) => symlinkSync('f', join(d, 'link'))),
  st('a link, followed', { path: 'D/link', follow: true }, (d) => symlinkSync('f', join(d, 'link'))),
  st('no checksum, no mime', { path: F, get_checksum: false, get_mime: false }),
];

/** Values that differ between two copies of the same file by nature. */
const VOLATILE = ['atime', 'mtime', 'ctime', 'inode', 'version'];

const ansible = ensureAnsible();
const it = 'bin' in ansible ? test : test.skip;
if (!('bin' in ansible))
  test('ansible parity skipped', (t) => {
    t.log(`skipped: ${ansible.missing}`);
    t.pass();
  });

/** Writes each case's input into root/NAME/caseN and the one playbook running every case there. */
function prepare(root: string): string {
  const tasks: unknown[] = [];
  cases.forEach((c, i) => {
    const dir = join(root, `case${i}`);
    mkdirSync(dir, { recursive: true });
    if (c.file !== null && c.file !== undefined) {
      writeFileSync(join(dir, 'f'), c.file);
      chmodSync(join(dir, 'f'), c.mode ?? 0o644);
    }
    c.setup?.(dir);
    const args = JSON.parse(JSON.stringify(c.args).replaceAll('D/', `${dir}/`));
    tasks.push({ name: `case ${i}`, [c.module]: args, register: `r${i}`, ignore_errors: true });
    if (c.module === 'stat') tasks.push({ name: `show ${i}`, debug: { var: `r${i}` } });
  });
  const playbook = join(root, 'parity.yml');
  writeFileSync(playbook, stringify([{ hosts: 'all', gather_facts: false, tasks }]));
  writeFileSync(join(root, 'inventory.ini'), 'localhost ansible_connection=local\n');
  return playbook;
}

interface Outcome {
  changed: boolean;
  failed: boolean;
  msg: string | undefined;
  stat?: Record<string, unknown>;
  /** Mode and content of the file after the run (see contentOf). */
  content: string | null;
}

function normalStat(stat: unknown, dir: string): Record<string, unknown> {
  const s = JSON.parse(JSON.stringify(stat ?? {}).replaceAll(dir, 'D')) as Record<string, unknown>;
  for (const k of VOLATILE) delete s[k];
  return s;
}

/** The file's mode and content after the run (null: no file). */
const contentOf = (dir: string): string | null =>
  existsSync(join(dir, 'f'))
    ? `${(statSync(join(dir, 'f')).mode & 0o7777).toString(8)} ${readFileSync(join(dir, 'f'), 'latin1')}`
    : null;

function runAnsible(bin: string, root: string, playbook: string): Promise<Outcome[]> {
  return new Promise((resolve, reject) => {
    const env = {
      ...process.env,
      ANSIBLE_STDOUT_CALLBACK: 'json',
      ANSIBLE_LOCALHOST_WARNING: 'False',
      ANSIBLE_NOCOLOR: '1',
    };
    const child = spawn(bin, ['-i', join(root, 'inventory.ini'), playbook], { env, cwd: root });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('error', reject);
    child.on('close', () => {
      try {
        const json = JSON.parse(out.slice(out.indexOf('{'))) as {
          plays: { tasks: { task: { name: string }; hosts: { localhost: Record<string, unknown> } }[] }[];
        };
        const byName = new Map(json.plays[0]!.tasks.map((t) => [t.task.name, t.hosts.localhost]));
        resolve(
          cases.map((c, i) => {
            const r = byName.get(`case ${i}`) ?? {};
            const dir = join(root, `case${i}`);
            return {
              changed: r.changed === true,
              failed: r.failed === true,
              msg: typeof r.msg === 'string' ? r.msg : undefined,
              ...(c.module === 'stat' ? { stat: normalStat(r.stat, dir) } : {}),
              content: contentOf(dir),
            };
          }),
        );
      } catch (e) {
        reject(new Error(`ansible-playbook output unreadable: ${(e as Error).message}\n${out.slice(0, 2000)}\n${err}`));
      }
    });
  });
}

/** The register printed by debug: "r0: {...}" (or Ansible's {"r0": {...}}). */
function registered(message: string | undefined, name: string): Record<string, unknown> {
  if (!message) return {};
  const value = JSON.parse(message.slice(message.indexOf('{'))) as Record<string, unknown>;
  return (name in value ? value[name] : value) as Record<string, unknown>;
}

async function runStackplay(root: string, playbook: string): Promise<Outcome[]> {
  const r = await runCli(['run', playbook, '-i', join(root, 'inventory.ini'), '--output', 'json'], {
    timeoutMs: 300_000,
  });
  const ends = new Map(r.events.flatMap((e) => (e.type === 'host:end' ? [[e.task.name, e] as const] : [])));
  if (ends.size === 0) throw new Error(`stackplay ran nothing:\n${r.stdout}\n${r.stderr}`);
  return cases.map((c, i) => {
    const e = ends.get(`case ${i}`);
    const dir = join(root, `case${i}`);
    const shown = c.module === 'stat' ? registered(ends.get(`show ${i}`)?.message, `r${i}`) : undefined;
    return {
      changed: e?.status === 'changed',
      failed: e?.status === 'failed',
      msg: c.module === 'stat' ? undefined : e?.message,
      ...(shown ? { stat: normalStat(shown.stat, dir) } : {}),
      content: contentOf(dir),
    };
  });
}

it('lineinfile, blockinfile and stat give what ansible-playbook gives', async (t) => {
  t.timeout(600_000);
  const bin = (ansible as { bin: string }).bin;
  const base = mkdtempSync(join(tmpdir(), 'stackplay-parity-'));
  t.teardown(() => rmSync(base, { recursive: true, force: true }));
  // The same absolute folder names for both runs, so paths in results compare equal.
  const root = join(base, 'run');
  const theirs = await runAnsible(bin, root, prepare(root));
  rmSync(root, { recursive: true });
  const ours = await runStackplay(root, prepare(root));
  let same = 0;
  const missingKeys = new Set<string>();
  for (const [i, c] of cases.entries()) {
    const a = theirs[i]!;
    const b = ours[i]!;
    // Ansible's stat map has keys stackplay does not report (see README); only shared ones compare.
    if (a.stat && b.stat) for (const k of Object.keys(a.stat)) if (!(k in b.stat)) missingKeys.add(k);
    for (const k of missingKeys) delete a.stat?.[k];
    const label = `case ${i} ${c.module}: ${c.title}`;
    t.deepEqual(b, a, label);
    if (isDeepStrictEqual(a, b)) same++;
  }
  t.deepEqual([...missingKeys], [], 'stat keys Ansible reports and stackplay does not');
  t.log(`${same} of ${cases.length} cases give the same content, changed, failed, msg (and stat)`);
});
