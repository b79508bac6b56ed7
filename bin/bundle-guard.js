// Says whether dist/stackplay.cjs was built from the sources as they are now (a content hash of every input).
import { closeSync, existsSync, openSync, readFileSync, readSync, readdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';

/** The bundle, relative to the project root. */
export const BUNDLE = 'dist/stackplay.cjs';
/** The bundle's first line: this prefix, then the fingerprint of the sources it was built from. */
export const HEADER = '// stackplay bundle of sources ';

// Folders read whole (any file in them, so a new or deleted file counts too), and single files that shape the build.
const SOURCE_DIRS = ['src', 'modules'];
// The npm packages are bundled too: the lockfile that pins them, and npm's record of what node_modules holds
// (rewritten by every install, --no-save and npm link included, before `prepare` builds), are inputs when present.
const SOURCE_FILES = ['package.json', 'tsconfig.json', 'scripts/build.mjs'];
const OPTIONAL_FILES = ['package-lock.json', 'node_modules/.package-lock.json'];

function listFiles(root, dir, out) {
  for (const e of readdirSync(join(root, dir), { withFileTypes: true })) {
    const path = `${dir}/${e.name}`;
    if (e.isDirectory()) listFiles(root, path, out);
    else out.push(path);
  }
  return out;
}

/** Every input of the build, path -> content, sorted by path. */
export function readSources(root) {
  const paths = [
    ...SOURCE_DIRS.flatMap((d) => listFiles(root, d, [])),
    ...SOURCE_FILES,
    ...OPTIONAL_FILES.filter((f) => existsSync(join(root, f))),
  ].sort();
  return new Map(paths.map((p) => [p, readFileSync(join(root, p))]));
}

/** One hash over the paths and contents (length-prefixed, so no two different sets hash alike). */
export function fingerprintOf(sources) {
  const h = createHash('sha256');
  for (const [path, content] of sources) h.update(`${path}\0${content.length}\0`).update(content);
  return h.digest('hex');
}

function bundleHeader(root) {
  const buf = Buffer.alloc(HEADER.length + 64);
  const fd = openSync(join(root, BUNDLE), 'r');
  try {
    return buf.toString('utf8', 0, readSync(fd, buf, 0, buf.length, 0));
  } finally {
    closeSync(fd);
  }
}

/**
 * The bundle's path when it is current, else why not. The fingerprint is read from the bundle's own first line
 * (not only from build-info.json), so a bundle can never be paired with another build's record.
 */
export function checkBundle(root) {
  let header;
  try {
    header = bundleHeader(root);
  } catch {
    return { stale: `no ${BUNDLE} (npm run build makes it)` };
  }
  if (!header.startsWith(HEADER)) return { stale: `${BUNDLE} has no source fingerprint` };
  let now;
  try {
    now = fingerprintOf(readSources(root));
  } catch (e) {
    return { stale: `sources unreadable (${e.code ?? e.message})` };
  }
  return header.slice(HEADER.length) === now
    ? { path: join(root, BUNDLE) }
    : { stale: `${BUNDLE} is older than the sources (npm run build updates it)` };
}
