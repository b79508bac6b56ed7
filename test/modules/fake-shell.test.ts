// The fake shell must agree with the real /bin/sh on the scripts facts and modules send (run on a temp dir).
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sh, readOnly, type Command } from '../../src/sdk.js';
import { FakeTransport } from '../helpers/fake-transport.js';
import { fileContent, fileStat, pathExists } from '../../modules/facts/files.js';

interface World {
  root: string;
  fake: FakeTransport;
}

function world(t: { teardown(fn: () => void): void }): World {
  const root = mkdtempSync(join(tmpdir(), 'stackplay-fake-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const fake = new FakeTransport('h', { bare: false });
  fake.fs.mkdir(root, { parents: true });
  return { root, fake };
}

const real = (c: Command) => {
  const r = spawnSync('/bin/sh', ['-c', c.text], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr !== '' };
};

async function both(w: World, c: Command) {
  const f = await w.fake.exec(c);
  return { real: real(c), fake: { code: f.code, stdout: f.stdout, stderr: f.stderr !== '' } };
}

/** The tree under root as plain data: type, permission bits, content or link target. */
function realTree(root: string, rel = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(join(root, rel)).sort()) {
    const p = join(root, rel, name);
    const st = lstatSync(p);
    const key = `${rel}/${name}`;
    if (st.isSymbolicLink()) out[key] = `link ${readlinkSync(p)}`;
    else if (st.isDirectory()) {
      out[key] = `dir ${(st.mode & 0o7777).toString(8)}`;
      Object.assign(out, realTree(root, key));
    } else out[key] = `file ${(st.mode & 0o7777).toString(8)} ${readFileSync(p, 'utf8')}`;
  }
  return out;
}

function fakeTree(w: World): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [p, e] of Object.entries(w.fake.fs.snapshot())) {
    if (!p.startsWith(`${w.root}/`)) continue;
    const key = p.slice(w.root.length);
    out[key] =
      e.type === 'link'
        ? `link ${e.target}`
        : e.type === 'directory'
          ? `dir ${e.mode.toString(8)}`
          : `file ${e.mode.toString(8)} ${e.content}`;
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

const setup = (r: string) =>
  sh`umask 022; printf 'hello\n' > ${`${r}/f`}; : > ${`${r}/empty`}; mkdir -m 0700 ${`${r}/d`}; ln -s f ${`${r}/l`}; ln -s nowhere ${`${r}/dangling`}; chmod 0600 ${`${r}/f`}; mkdir -p ${`${r}/it's here`}`;

test('setup scripts build the same tree', async (t) => {
  const w = world(t);
  const r = await both(w, setup(w.root));
  t.deepEqual(r.fake, r.real);
  t.deepEqual(fakeTree(w), realTree(w.root));
});

test('file facts read the same from both shells', async (t) => {
  const w = world(t);
  await both(w, setup(w.root));
  for (const name of ['f', 'empty', 'd', 'l', 'dangling', 'missing', "it's here"]) {
    const p = `${w.root}/${name}`;
    for (const fact of [fileStat, fileContent, pathExists] as const) {
      const cmd = fact.command(p);
      const r = await both(w, cmd);
      t.deepEqual(r.fake, r.real, `${fact.name} ${name}`);
      t.deepEqual(
        fact.parse({ ...r.fake, stderr: '' }, p),
        fact.parse({ ...r.real, stderr: '' }, p),
        `${fact.name} ${name} parsed`,
      );
    }
  }
});

test('changing commands leave the same tree', async (t) => {
  const w = world(t);
  await both(w, setup(w.root));
  const r = w.root;
  const steps = [
    sh`mkdir -p ${`${r}/a/b/c`} && chmod 0750 ${`${r}/a/b`} && touch ${`${r}/a/t`}`,
    sh`ln -s -- ${`${r}/a`} ${`${r}/lnk`} && ln -sfn -- ${`${r}/a/b`} ${`${r}/lnk`}`,
    sh`rm -rf -- ${`${r}/a/b/c`} && rm -f -- ${`${r}/missing`}`,
    sh`mkdir -p -m 0711 -- ${`${r}/m/n`}`,
    sh`ln -sfn -- target ${`${r}/f`}`,
    sh`cd ${r} && echo made > made && cat made`,
  ];
  for (const c of steps) {
    const out = await both(w, c);
    t.deepEqual(out.fake, out.real, c.text);
  }
  t.deepEqual(fakeTree(w), realTree(w.root));
});

test('errors exit the same way', async (t) => {
  const w = world(t);
  await both(w, setup(w.root));
  const r = w.root;
  for (const c of [
    sh`cat ${`${r}/missing`}`,
    sh`rm ${`${r}/missing`}`,
    sh`rm ${`${r}/d`}`,
    sh`mkdir ${`${r}/f`}`,
    sh`ln -s x ${`${r}/f`}`,
    sh`cat ${`${r}/d`}`,
    sh`stat -c %a ${`${r}/missing`}`,
  ]) {
    const out = await both(w, c);
    t.deepEqual(out.fake, out.real, c.text);
  }
});

test('control flow, variables and arithmetic behave the same', async (t) => {
  const w = world(t);
  await both(w, setup(w.root));
  const scripts = [
    `if [ -d ${w.root}/f ]; then echo dir; elif [ -f ${w.root}/f ]; then echo file; else echo none; fi`,
    'x=3; y=$((x * 2 + 1)); echo "$y $((y % 4)) $(( (1+2)*3 ))"',
    '! false && echo ok; { false; } || echo "status $?"',
    'sh -c \'echo "$1-$2 $#"\' name a b',
    'if true; then exit 3; fi; echo not here',
    'n=0; while [ $n -lt 3 ]; do n=$((n+1)); done; echo $n',
    'echo out; echo err >&2; (exit 4); echo $?',
    "printf '%s=%d\\n' a 1 b 2",
    'echo one | cat | cat',
    `deadline=$(( $(date +%s) + 0 )); until [ -e ${w.root}/never ]; do if [ "$(date +%s)" -ge "$deadline" ]; then echo timeout >&2; exit 1; fi; sleep 1; done`,
    `until [ -e ${w.root}/f ]; do sleep 1; done; echo present`,
  ];
  for (const s of scripts) {
    const c = readOnly({ text: s, display: s, readOnly: true });
    const out = await both(w, c);
    t.deepEqual(out.fake, out.real, s);
  }
});
