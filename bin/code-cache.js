// Loads the CommonJS bundle with V8's code cache for it, so a start deserializes compiled code instead of parsing 3 MB.
//
// Node 20 has no compile cache for modules (module.enableCompileCache is Node 22), so the bundle is compiled here
// with vm.Script, with the wrapper and require Node's CommonJS loader would give it. V8 checks a cache against its
// own version and flags, but of the source only its length, and in release builds it does not checksum the cache
// (a flipped byte can crash it or run other code). So the file starts with two sha256: of the bundle's path and
// bytes (the path is in the compiled code's stack traces), then of the cache that follows. A cache whose sums do not
// hold is never offered to V8.
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { Script } from 'node:vm';

/** The code cache next to a bundle. */
export const cachePathOf = (bundle) => `${bundle}.v8cache`;

const SUM = 32;
const sha256 = (...parts) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};
const bundleSum = (bundle, source) => sha256(bundle, '\0', source);

/** The cache V8 may be given for this bundle, or why there is none. */
function cacheFor(bundle, source, file) {
  if (!file) return { state: 'none' };
  if (file.length <= 2 * SUM || !bundleSum(bundle, source).equals(file.subarray(0, SUM)))
    return { state: 'not this bundle' };
  const data = file.subarray(2 * SUM);
  if (!sha256(data).equals(file.subarray(SUM, 2 * SUM))) return { state: 'damaged' };
  return { state: 'offered', data };
}

/** Compiles the bundle (with the cache when it is the bundle's and whole) and runs its top level. */
function compileAndRun(bundle, file) {
  const source = readFileSync(bundle, 'utf8');
  const cache = cacheFor(bundle, source, file);
  const script = new Script(Module.wrap(source), { filename: bundle, cachedData: cache.data });
  const module = { exports: {}, filename: bundle, id: bundle, loaded: false };
  script.runInThisContext()(module.exports, createRequire(bundle), module, bundle, dirname(bundle));
  module.loaded = true;
  const state = cache.state !== 'offered' ? cache.state : script.cachedDataRejected ? 'rejected' : 'used';
  return { exports: module.exports, script, source, state };
}

/** The bundle's exports; `cache` says whether V8 took the code cache ('used'), or why not. */
export function loadBundle(bundle) {
  let file;
  try {
    file = readFileSync(cachePathOf(bundle));
  } catch {
    /* no cache: compiled from source */
  }
  const r = compileAndRun(bundle, file);
  return { exports: r.exports, cache: r.state };
}

/**
 * Writes the bundle's code cache, made after its top level ran and, given `warm` (the CLI arguments of commands to
 * run first, such as --list-tasks of a playbook and a run on the local machine), after those ran too: the functions
 * that ran are in the cache, compiled, instead of being compiled at every start when first called. Run by the build
 * in a plain `node` child: V8 takes a cache only under the flags it was made with.
 */
export async function writeCodeCache(bundle, warm = []) {
  const r = compileAndRun(bundle, undefined);
  for (const args of warm) {
    try {
      await r.exports.main(['node', 'stackplay', ...args]);
    } catch {
      /* what ran until then is compiled all the same */
    }
  }
  // What the warm-up commands exit with is not the cache's business.
  process.exitCode = undefined;
  const data = r.script.createCachedData();
  const file = Buffer.concat([bundleSum(bundle, r.source), sha256(data), data]);
  const tmp = `${cachePathOf(bundle)}.${process.pid}.tmp`;
  writeFileSync(tmp, file);
  renameSync(tmp, cachePathOf(bundle));
  return file.length;
}
