// Loads the CommonJS bundle with V8's code cache for it, so a start deserializes compiled code instead of parsing 3 MB.
//
// Node 20 has no compile cache for modules (module.enableCompileCache is Node 22), so the bundle is compiled here
// with vm.Script, as Node's own CommonJS loader would (same wrapper, require and paths). V8 checks a cache against
// its own version and flags but only the source's length, so the cache file starts with the sha256 of the bundle it
// was made from: a cache from any other bundle is never offered to V8.
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { Script } from 'node:vm';

/** The code cache next to a bundle. */
export const cachePathOf = (bundle) => `${bundle}.v8cache`;

const DIGEST_BYTES = 32;
const digestOf = (source) => createHash('sha256').update(source).digest();

/** Compiles the bundle (with its cache when the cache is the bundle's) and runs its top level. */
function compileAndRun(bundle, cachedData) {
  const source = readFileSync(bundle, 'utf8');
  const digest = digestOf(source);
  let cache;
  if (cachedData && cachedData.length > DIGEST_BYTES && digest.equals(cachedData.subarray(0, DIGEST_BYTES)))
    cache = cachedData.subarray(DIGEST_BYTES);
  const script = new Script(Module.wrap(source), { filename: bundle, cachedData: cache });
  const module = { exports: {}, filename: bundle, id: bundle, loaded: false };
  script.runInThisContext()(module.exports, createRequire(bundle), module, bundle, dirname(bundle));
  module.loaded = true;
  const state =
    cache === undefined ? (cachedData ? 'not this bundle' : 'none') : script.cachedDataRejected ? 'rejected' : 'used';
  return { exports: module.exports, script, digest, state };
}

/** The bundle's exports; `cache` says whether V8 took the code cache ('used'), or why not. */
export function loadBundle(bundle) {
  let cachedData;
  try {
    cachedData = readFileSync(cachePathOf(bundle));
  } catch {
    /* no cache: compiled from source */
  }
  const r = compileAndRun(bundle, cachedData);
  return { exports: r.exports, cache: r.state };
}

/**
 * Writes the bundle's code cache, made after its top level ran and, given `warm` (CLI arguments of a command that
 * changes nothing, such as --list-tasks of a playbook), after that command ran too: the functions that ran are in
 * the cache, compiled. Run by the build in a plain `node` child: V8 takes a cache only under the flags it was made with.
 */
export async function writeCodeCache(bundle, warm) {
  const r = compileAndRun(bundle, undefined);
  if (warm) {
    await r.exports.main(['node', 'stackplay', ...warm]);
    // What the listing exits with is not the cache's business.
    process.exitCode = undefined;
  }
  const data = Buffer.concat([r.digest, r.script.createCachedData()]);
  const tmp = `${cachePathOf(bundle)}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, cachePathOf(bundle));
  return data.length;
}
