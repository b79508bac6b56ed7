// The shipped bundle (npm run build -> dist/stackplay.cjs and its code cache) behaves like the sources, and bin/stackplay.js never runs a stale one.
import test from 'ava';
import {
  appendFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, copyProject, runNode, stackplay } from './project-copy.js';

const copies: Array<() => void> = [];
test.after.always(() => {
  for (const dispose of copies) dispose();
});

/** A copy of the project with a fresh bundle. */
async function builtCopy(): Promise<string> {
  const c = copyProject();
  copies.push(c.dispose);
  const b = await build(c.dir);
  if (b.code !== 0) throw new Error(`build failed:\n${b.stderr}`);
  return c.dir;
}

let shared: Promise<string>;
test.before(() => {
  shared = builtCopy();
});

/** Runs the same command from the bundle and from the sources; both must agree on everything. */
async function bothWays(t: import('ava').ExecutionContext, args: string[]) {
  const dir = await shared;
  const bundled = await stackplay(dir, args);
  const source = await stackplay(dir, args, { STACKPLAY_FROM_SOURCE: '1' });
  t.is(bundled.entry, 'bundle');
  t.is(source.entry, 'tsx');
  t.is(bundled.code, source.code);
  t.is(bundled.stdout, source.stdout);
  t.is(bundled.stderr, source.stderr);
  return bundled;
}

test('the bundle prints the version', async (t) => {
  const r = await bothWays(t, ['--version']);
  t.is(r.code, 0);
  t.is(r.stdout.trim(), '0.1.0');
});

test('the bundle lists the hosts of the cluster playbook like the sources', async (t) => {
  const r = await bothWays(t, ['run', 'playbooks/cluster.yml', '-i', 'inventory/lab.ini', '--list-hosts']);
  t.is(r.code, 0);
  t.regex(r.stdout, /core1/);
});

test('bad input gives the same diagnostics and exit code from the bundle', async (t) => {
  const bad = await bothWays(t, [
    'run',
    'test/fixtures/playbooks/bad/many-errors.yml',
    '-i',
    'inventory/lab.ini',
    '--list-hosts',
  ]);
  t.is(bad.code, 4);
  t.regex(
    bad.stderr,
    /error\[E_UNKNOWN_MODULE\] unknown module "comand"\n {2}--> test\/fixtures\/playbooks\/bad\/many-errors\.yml:8:7/,
  );
  const missing = await bothWays(t, ['run', 'playbooks/cluster.yml', '-i', 'inventory/nope.ini']);
  t.regex(missing.stderr, /error\[E_FILE\]/);
  const usage = await bothWays(t, ['run', 'playbooks/cluster.yml', '--no-such-option']);
  t.regex(usage.stderr, /error\[E_USAGE\]/);
});

test('module docs and the schema are the same from the bundle', async (t) => {
  t.regex((await bothWays(t, ['modules'])).stdout, /^command /m);
  t.regex((await bothWays(t, ['modules', 'copy'])).stdout, /dest/);
  t.truthy(JSON.parse((await bothWays(t, ['schema'])).stdout));
});

test('build-info.json records the fingerprint in the bundle and every source file', async (t) => {
  const dir = await shared;
  const info = JSON.parse(readFileSync(join(dir, 'dist/build-info.json'), 'utf8')) as {
    fingerprint: string;
    files: Array<{ path: string; size: number }>;
  };
  t.is(
    readFileSync(join(dir, 'dist/stackplay.cjs'), 'utf8').split('\n')[0],
    `// stackplay bundle of sources ${info.fingerprint}`,
  );
  const cli = info.files.find((f) => f.path === 'src/cli.ts');
  t.is(cli?.size, statSync(join(dir, 'src/cli.ts')).size);
  t.true(info.files.some((f) => f.path === 'modules/index.ts'));
  t.true(info.files.some((f) => f.path === 'package.json'));
});

test('import.meta.url in the bundle still means the source file, also after the checkout moved', async (t) => {
  const c = copyProject();
  copies.push(c.dispose);
  // Export lab's projectRoot (computed from import.meta.url in src/lab/rootfs.ts) from this copy's entry.
  appendFileSync(join(c.dir, 'src/cli.ts'), "\nexport { projectRoot } from './lab/rootfs.js';\n");
  t.is((await build(c.dir)).code, 0);
  const moved = `${c.dir}-moved`;
  renameSync(c.dir, moved);
  copies.push(() => rmSync(moved, { recursive: true, force: true }));
  const bundle = pathToFileURL(join(moved, 'dist/stackplay.cjs')).href;
  const r = await runNode(moved, [
    '--input-type=module',
    '-e',
    `process.stdout.write((await import(${JSON.stringify(bundle)})).projectRoot)`,
  ]);
  t.is(r.stderr, '');
  t.is(r.stdout, moved);
  const started = await stackplay(moved, ['--version']);
  t.is(started.entry, 'bundle');
  // Its compiled code names the old path in stack traces: the cache is the old place's.
  t.is(started.cache, 'not this bundle');
});

/** Edits the version in src/cli.ts without changing its size, and sets its mtime back to `when` (a whole second). */
function editKeepingSizeAndMtime(t: import('ava').ExecutionContext, file: string, when: Date): void {
  const before = statSync(file);
  writeFileSync(file, readFileSync(file, 'utf8').replace(".version('0.1.0')", ".version('0.1.9')"));
  utimesSync(file, when, when);
  t.is(statSync(file).size, before.size);
  t.is(statSync(file).mtimeMs, before.mtimeMs);
}

test('an edit that keeps size and mtime sends bin to the sources; a rebuild brings the bundle back', async (t) => {
  const c = copyProject();
  copies.push(c.dispose);
  const dir = c.dir;
  const file = join(dir, 'src/cli.ts');
  // A whole second, so the mtime can be set back exactly (what a size+mtime check would compare).
  const when = new Date('2025-01-01T00:00:00Z');
  utimesSync(file, when, when);
  t.is((await build(dir)).code, 0);
  editKeepingSizeAndMtime(t, file, when);
  const stale = await stackplay(dir, ['--version']);
  t.is(stale.entry, 'tsx');
  t.is(stale.stdout.trim(), '0.1.9');
  t.is((await build(dir)).code, 0);
  const rebuilt = await stackplay(dir, ['--version']);
  t.is(rebuilt.entry, 'bundle');
  t.is(rebuilt.stdout.trim(), '0.1.9');
});

test('a new source file or a package.json edit makes the bundle stale; a touch alone does not', async (t) => {
  const dir = await builtCopy();
  const hourLater = new Date(Date.now() + 3_600_000);
  utimesSync(join(dir, 'modules/debug.ts'), hourLater, hourLater);
  t.is((await stackplay(dir, ['--version'])).entry, 'bundle', 'same bytes, same code');
  writeFileSync(join(dir, 'src/lab/new-file.ts'), '// not imported yet\nexport const x = 1;\n');
  t.is((await stackplay(dir, ['--version'])).entry, 'tsx');
  rmSync(join(dir, 'src/lab/new-file.ts'));
  t.is((await stackplay(dir, ['--version'])).entry, 'bundle');
  const lock = join(dir, 'package-lock.json');
  const locked = readFileSync(lock);
  appendFileSync(lock, '\n');
  t.is((await stackplay(dir, ['--version'])).entry, 'tsx', 'the packages in the bundle are pinned by the lockfile');
  writeFileSync(lock, locked);
  t.is((await stackplay(dir, ['--version'])).entry, 'bundle');
  appendFileSync(join(dir, 'package.json'), '\n');
  t.is((await stackplay(dir, ['--version'])).entry, 'tsx');
});

/** Waits until the clock is past `ms` (file times this recent are not recorded: see bin/bundle-guard.js). */
async function clockPast(ms: number): Promise<void> {
  while (Date.now() <= ms) await new Promise((r) => setTimeout(r, ms - Date.now() + 10));
}

test("a start finds the bundle current by the inputs' recorded stats; a touched or damaged record means hashing", async (t) => {
  const dir = await builtCopy();
  const settled = 2_100;
  await clockPast(statSync(join(dir, 'dist/stackplay.cjs')).mtimeMs + settled);
  // The copy's files were new when the build recorded them: the first start hashes and records them again.
  const first = await stackplay(dir, ['--version']);
  t.is(first.entry, 'bundle');
  const again = await stackplay(dir, ['--version']);
  t.is(again.entry, 'bundle');
  t.is(again.sources, 'stat', 'no input changed since the record');
  const later = new Date(Date.now() + 3_600_000);
  utimesSync(join(dir, 'modules/debug.ts'), later, later);
  // A whole second, so the mtime can be set back exactly after the edit below.
  const file = join(dir, 'src/cli.ts');
  const when = new Date('2025-01-01T00:00:00Z');
  utimesSync(file, when, when);
  const touched = await stackplay(dir, ['--version']);
  t.is(touched.entry, 'bundle', 'same bytes');
  t.is(touched.sources, 'content');
  await clockPast(Date.now() + settled);
  await stackplay(dir, ['--version']);
  t.is((await stackplay(dir, ['--version'])).sources, 'stat', 'recorded again once the touch has settled');
  writeFileSync(join(dir, 'dist/sources-stat.json'), '{"fingerprint": 1');
  const damaged = await stackplay(dir, ['--version']);
  t.is(damaged.entry, 'bundle');
  t.is(damaged.sources, 'content');
  t.is((await stackplay(dir, ['--version'])).sources, 'stat');
  // An edit that keeps size and mtime still moves the ctime, which no user can set back.
  editKeepingSizeAndMtime(t, file, when);
  const edited = await stackplay(dir, ['--version']);
  t.is(edited.entry, 'tsx');
  t.is(edited.stdout.trim(), '0.1.9');
});

test('STACKPLAY_FROM_SOURCE=1, a missing bundle or one without a fingerprint mean the sources', async (t) => {
  const dir = await builtCopy();
  t.is((await stackplay(dir, ['--version'], { STACKPLAY_FROM_SOURCE: '1' })).entry, 'tsx');
  const bundle = join(dir, 'dist/stackplay.cjs');
  writeFileSync(bundle, readFileSync(bundle, 'utf8').split('\n').slice(1).join('\n'));
  const headless = await stackplay(dir, ['--version']);
  t.is(headless.entry, 'tsx');
  t.is(headless.code, 0);
  rmSync(join(dir, 'dist'), { recursive: true });
  const none = await stackplay(dir, ['--version']);
  t.is(none.entry, 'tsx');
  t.is(none.stdout.trim(), '0.1.0');
});

test('a failed build says where and why; npm run build fails, prepare (--warn-only) does not; the old bundle is not used', async (t) => {
  const dir = await builtCopy();
  appendFileSync(join(dir, 'src/suggest.ts'), '\nexport const broken = ;\n');
  const b = await build(dir);
  t.is(b.code, 1);
  t.regex(b.stderr, /could not build dist\/stackplay\.cjs:\n {2}src\/suggest\.ts:\d+:\d+: /);
  t.regex(b.stderr, /run the TypeScript sources through tsx/);
  const w = await build(dir, '--warn-only');
  t.is(w.code, 0);
  t.is(w.stderr, b.stderr);
  t.is((await stackplay(dir, ['--version'])).entry, 'tsx');
});

test('V8 takes the code cache the build made; other flags or another bundle of the same length compile from source', async (t) => {
  const dir = await builtCopy();
  const plain = { NODE_OPTIONS: '' };
  const used = await stackplay(dir, ['--version'], plain);
  t.is(used.cache, 'used');
  t.is(used.stdout.trim(), '0.1.0');
  // V8 checks a cache against its flags: made without this one, it is refused and the bundle compiles as usual.
  const other = await stackplay(dir, ['--version'], { NODE_OPTIONS: '--max-old-space-size=600' });
  t.is(other.cache, 'rejected');
  t.is(other.stdout.trim(), '0.1.0');
  // V8 checks only the source's length: a bundle changed in place (same length, same fingerprint line) must not get
  // the old bundle's compiled code (the module list is made by the top level, whose code is in the cache).
  const bundle = join(dir, 'dist/stackplay.cjs');
  const before = readFileSync(bundle, 'utf8');
  const after = before.replace('"Fail the host unless', '"Pass the host unless');
  t.not(after, before);
  t.is(after.length, before.length);
  writeFileSync(bundle, after);
  const changed = await stackplay(dir, ['modules'], plain);
  t.is(changed.entry, 'bundle');
  t.is(changed.cache, 'not this bundle');
  t.regex(changed.stdout, /^assert +Pass the host unless/m);
  rmSync(`${bundle}.v8cache`);
  const none = await stackplay(dir, ['--version'], plain);
  t.is(none.cache, 'none');
  t.is(none.stdout.trim(), '0.1.0');
});

test('the code cache is warmed by a local run in a scratch folder the build removes, and taken by V8', async (t) => {
  const c = copyProject();
  copies.push(c.dispose);
  const tmp = mkdtempSync(join(tmpdir(), 'warm-test-'));
  copies.push(() => rmSync(tmp, { recursive: true, force: true }));
  const b = await runNode(c.dir, ['scripts/build.mjs'], { TMPDIR: tmp });
  t.is(b.code, 0, b.stderr);
  t.regex(b.stderr, /code cache \d+ KiB/);
  t.deepEqual(readdirSync(tmp), [], 'the warm-up left nothing behind');
  const r = await stackplay(c.dir, ['--version']);
  t.is(r.entry, 'bundle');
  t.is(r.cache, 'used');
});

test('without a usable temp folder the build still makes its code cache, warmed by the listing alone', async (t) => {
  const c = copyProject();
  copies.push(c.dispose);
  const b = await runNode(c.dir, ['scripts/build.mjs'], { TMPDIR: join(c.dir, 'no-such-folder') });
  t.is(b.code, 0, b.stderr);
  t.regex(b.stderr, /warmed without a local run \(ENOENT\)/);
  t.regex(b.stderr, /code cache \d+ KiB/);
  t.is((await stackplay(c.dir, ['--version'])).cache, 'used');
});

test('a damaged code cache is never given to V8 (it does not checksum one: a flipped byte can crash it)', async (t) => {
  const dir = await builtCopy();
  const cache = join(dir, 'dist/stackplay.cjs.v8cache');
  const whole = readFileSync(cache);
  for (const at of [60 + 64, 5000, Math.floor(whole.length / 2), whole.length - 1]) {
    const bad = Buffer.from(whole);
    bad[at] = bad[at]! ^ 0xff;
    writeFileSync(cache, bad);
    const r = await stackplay(dir, ['modules'], { NODE_OPTIONS: '' });
    t.is(r.code, 0, `byte ${at}: ${r.stderr}`);
    t.is(r.cache, 'damaged', `byte ${at}`);
    t.regex(r.stdout, /^assert +Fail the host unless/m);
  }
  writeFileSync(cache, whole.subarray(0, 100));
  t.is((await stackplay(dir, ['--version'], { NODE_OPTIONS: '' })).cache, 'damaged');
  writeFileSync(cache, whole.subarray(0, 40));
  t.is((await stackplay(dir, ['--version'], { NODE_OPTIONS: '' })).cache, 'not this bundle');
  writeFileSync(cache, whole);
  t.is((await stackplay(dir, ['--version'], { NODE_OPTIONS: '' })).cache, 'used');
});

test('the native addons of the bundled packages load from node_modules (ssh2 would fall back to slower crypto)', async (t) => {
  const dir = await shared;
  const addons = [
    'node_modules/ssh2/lib/protocol/crypto/build/Release/sshcrypto.node',
    'node_modules/cpu-features/build/Release/cpufeatures.node',
  ].filter((f) => existsSync(join(dir, f)));
  if (addons.length === 0) return t.pass('no native addon was built here');
  const script = `import { createRequire } from 'node:module';
import { loadBundle } from ${JSON.stringify(join(dir, 'bin/code-cache.js'))};
loadBundle(${JSON.stringify(join(dir, 'dist/stackplay.cjs'))});
process.stdout.write(JSON.stringify(Object.keys(createRequire(import.meta.url).cache).filter((k) => k.endsWith('.node'))));`;
  const r = await runNode(dir, ['--input-type=module', '-e', script]);
  t.is(r.stderr, '');
  const loaded = (JSON.parse(r.stdout) as string[]).map((p) => realpathSync(p));
  for (const a of addons) t.true(loaded.includes(realpathSync(join(dir, a))), `${a} not loaded: ${r.stdout}`);
});
