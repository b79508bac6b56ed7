// `npm run build`: bundles src/cli.ts and its npm packages into dist/stackplay.cjs with V8's code cache for it, and records what it was built from.
//
// The sources are read once, hashed, and esbuild is fed exactly those bytes, so the fingerprint always describes
// the project's code in the bundle, even if a file is edited while the build runs; the npm packages are read from
// node_modules, described by the lockfiles in the fingerprint. `--warn-only` (used by `prepare`)
// reports a failed build without failing `npm ci`: bin/stackplay.js then runs the sources through tsx.
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { extname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUNDLE, HEADER, STATS, fingerprintOf, readSources, writeStats } from '../bin/bundle-guard.js';
import { cachePathOf } from '../bin/code-cache.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const WARM_BOOK = 'playbooks/cluster.yml';
const WARM_INVENTORY = 'inventory/lab.ini';
const LOADERS = { '.ts': 'ts', '.js': 'js', '.mjs': 'js', '.json': 'json' };

/** Writes via a temporary file and a rename, so a starting stackplay never reads half a file. */
function writeAtomically(path, content) {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, content);
  renameSync(tmp, path);
}

/**
 * Serves every input from the snapshot; an input outside it fails the build (it would not be fingerprinted).
 * npm packages are read from node_modules (package-lock.json is in the fingerprint), except native addons: a
 * `.node` file is required at run time by its path inside node_modules, from the bundle's place.
 * `import.meta.url` keeps meaning the source file's URL (e.g. projectRoot in src/lab/rootfs.ts), computed
 * relative to the bundle so a moved checkout still works.
 */
function fromSnapshot(esbuild, sources) {
  return {
    name: 'stackplay-snapshot',
    setup(build) {
      build.onResolve({ filter: /\.node$/ }, (args) => {
        const abs = resolve(args.resolveDir, args.path);
        const at = abs.lastIndexOf('/node_modules/');
        if (at < 0) return { errors: [{ text: `${args.path}: a native addon outside node_modules` }] };
        return { path: abs.slice(at + '/node_modules/'.length), external: true };
      });
      build.onLoad({ filter: /.*/ }, async (args) => {
        if (args.path.includes('/node_modules/')) return undefined;
        const path = relative(root, args.path);
        const content = sources.get(path);
        const loader = LOADERS[extname(path)];
        if (!content || !loader)
          return { errors: [{ text: `${path}: not a fingerprinted source (see bin/bundle-guard.js)` }] };
        const text = content.toString('utf8');
        if (!text.includes('import.meta')) return { contents: text, loader };
        const { code } = await esbuild.transform(text, {
          loader,
          define: { 'import.meta.url': '__stackplay_source_url' },
        });
        const url = `require('node:url').pathToFileURL(require('node:path').join(__dirname, ${JSON.stringify(relative(join(root, 'dist'), args.path))})).href`;
        return { contents: `const __stackplay_source_url = ${url};\n${code}`, loader: 'js' };
      });
    },
  };
}

async function build() {
  const esbuild = await import('esbuild');
  const stats = [];
  const sources = readSources(root, stats);
  const fingerprint = fingerprintOf(sources);
  // The old record names the old bundle: gone before the new bundle is in place.
  rmSync(join(root, STATS), { force: true });
  const result = await esbuild.build({
    entryPoints: [join(root, 'src/cli.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    // Loaded by the handlebars engine and bin/stackplay.js at run time, not at every start.
    external: ['handlebars', 'tsx', 'tsx/*'],
    outfile: join(root, BUNDLE),
    write: false,
    logLevel: 'silent',
    banner: { js: `${HEADER}${fingerprint}` },
    plugins: [fromSnapshot(esbuild, sources)],
  });
  const out = result.outputFiles.find((f) => f.path === join(root, BUNDLE));
  mkdirSync(join(root, 'dist'), { recursive: true });
  writeAtomically(join(root, BUNDLE), out.contents);
  rmSync(join(root, 'dist/stackplay.mjs'), { force: true });
  const cache = writeCodeCache(join(root, BUNDLE));
  const files = [...sources].map(([path, c]) => ({
    path,
    size: c.length,
    sha256: createHash('sha256').update(c).digest('hex'),
  }));
  const info = {
    bundle: BUNDLE,
    fingerprint,
    builtAt: new Date().toISOString(),
    esbuild: esbuild.version,
    node: process.version,
    files,
  };
  writeAtomically(join(root, 'dist/build-info.json'), `${JSON.stringify(info, null, 2)}\n`);
  writeStats(root, fingerprint, stats);
  return { bytes: out.contents.length, files: files.length, fingerprint, cache };
}

/**
 * The bundle's code cache, made by a plain `node` child (V8 takes a cache only under the flags it was made with, and
 * the bundle's top level must run in a process of its own). Without one the bundle still runs, compiled at each start.
 */
function writeCodeCache(bundle) {
  rmSync(cachePathOf(bundle), { force: true });
  // A plain `node`, as bin/stackplay.js is usually started: NODE_OPTIONS would make V8 refuse the cache later.
  const env = { ...process.env };
  delete env.STACKPLAY_CLI;
  delete env.NODE_OPTIONS;
  let scratch;
  try {
    let warm = listing();
    try {
      scratch = mkdtempSync(join(tmpdir(), 'stackplay-warm-'));
      warm = [...warm, ...localRuns(scratch)];
    } catch (e) {
      process.stderr.write(`stackplay: the code cache is warmed without a local run (${e.code ?? e.message})\n`);
    }
    const script = `import { writeCodeCache } from ${JSON.stringify(join(root, 'bin/code-cache.js'))}; process.stderr.write(String(await writeCodeCache(${JSON.stringify(bundle)}, ${JSON.stringify(warm)})));`;
    return cacheFrom(
      spawnSync(process.execPath, ['--input-type=module', '-e', script], {
        encoding: 'utf8',
        env,
        cwd: root,
        stdio: ['ignore', 'ignore', 'pipe'],
        timeout: 120_000,
      }),
    );
  } finally {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }
}

/** Listing the cluster playbook's tasks: it loads, checks and renders it without touching a host, what every run does first. */
const listing = () =>
  existsSync(join(root, WARM_BOOK)) && existsSync(join(root, WARM_INVENTORY))
    ? [['run', WARM_BOOK, '-i', WARM_INVENTORY, '--list-tasks']]
    : [];

/**
 * A small play on this machine over the local connection, run twice (changing, then not), in `scratch` only: the
 * engine, the modules, templates and the probes' paths run, so the code cache holds them compiled.
 */
function localRuns(scratch) {
  const out = join(scratch, 'out');
  mkdirSync(out);
  writeFileSync(join(scratch, 'warm.j2'), 'rendered for {{ inventory_hostname }}\n');
  writeFileSync(join(scratch, 'inventory.ini'), 'localhost ansible_connection=local\n');
  const q = JSON.stringify;
  writeFileSync(
    join(scratch, 'warm.yml'),
    `- hosts: localhost
  gather_facts: false
  tasks:
    - command: "true"
      changed_when: false
    - copy: { dest: ${q(join(out, 'copied'))}, content: "copied to {{ inventory_hostname }}\\n", mode: "0644" }
    - template: { src: warm.j2, dest: ${q(join(out, 'rendered'))}, mode: "0644" }
    - file: { path: ${q(join(out, 'folder'))}, state: directory, mode: "0755" }
`,
  );
  const local = ['run', join(scratch, 'warm.yml'), '-i', join(scratch, 'inventory.ini'), '--output', 'json'];
  return [local, local];
}

/** The cache's size from the child's report, or why there is none. */
function cacheFrom(r) {
  const size = /(\d+)$/.exec(r.stderr ?? '')?.[1];
  if (r.status === 0 && size) return `code cache ${(Number(size) / 1024).toFixed(0)} KiB`;
  process.stderr.write(
    `stackplay: no code cache for ${BUNDLE} (it starts slower): ${(r.stderr || String(r.error)).trim()}\n`,
  );
  return 'no code cache';
}

const warnOnly = process.argv.includes('--warn-only');
try {
  const r = await build();
  process.stderr.write(
    `stackplay: built ${BUNDLE} (${(r.bytes / 1024).toFixed(0)} KiB from ${r.files} source files, ${r.fingerprint.slice(0, 12)}, ${r.cache})\n`,
  );
} catch (e) {
  const why = e.errors?.length
    ? e.errors
        .map((x) => `${x.location ? `${x.location.file}:${x.location.line}:${x.location.column}: ` : ''}${x.text}`)
        .join('\n  ')
    : (e.message ?? String(e));
  process.stderr.write(
    `stackplay: could not build ${BUNDLE}:\n  ${why}\n` +
      `stackplay: bin/stackplay.js will run the TypeScript sources through tsx instead (slower start); fix the cause and run npm run build.\n`,
  );
  process.exitCode = warnOnly ? 0 : 1;
}
