// Says whether dist/stackplay.cjs was built from the sources as they are now (a content hash of every input).
//
// Hashing every input costs a start 15-40 ms, so the build also records each input's inode, size, mtime and ctime
// (dist/sources-stat.json): when every input still has them, no byte changed since (ctime moves on any write, and no
// user can set it back), and the bytes are not read. Otherwise they are hashed as before, and when they are still
// the bundle's, the record is written again for the next start.
import {
  closeSync,
  existsSync,
  openSync,
  readFileSync,
  readSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
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

/** Every input of the build, sorted. */
function sourcePaths(root) {
  return [
    ...SOURCE_DIRS.flatMap((d) => listFiles(root, d, [])),
    ...SOURCE_FILES,
    ...OPTIONAL_FILES.filter((f) => existsSync(join(root, f))),
  ].sort();
}

/** What says a file's bytes are the ones seen before: where it is and when it last changed. */
const statOf = (path) => {
  const s = statSync(path, { bigint: true });
  return `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
};

// File times move in clock ticks, not nanoseconds (a second or two on some filesystems): a write in the same tick
// as the stat, after it, would keep it. A stat whose ctime was that close to the moment it was taken is not recorded
// (that input is hashed at the next starts, until a stat of it is older).
const SETTLED_NS = 2_000_000_000n;
const nowNs = () => BigInt(Date.now()) * 1_000_000n;

/** The input's stat, or 'recent' when it changed too shortly before this moment to vouch for its bytes. */
const settledStatOf = (path) => {
  const stat = statOf(path);
  return nowNs() - BigInt(stat.split(':')[4]) > SETTLED_NS ? stat : 'recent';
};

/** Every input of the build, path -> content, sorted by path; `stats` gets each one's stat, taken before its bytes are read. */
export function readSources(root, stats) {
  return new Map(
    sourcePaths(root).map((p) => {
      stats?.push([p, settledStatOf(join(root, p))]);
      return [p, readFileSync(join(root, p))];
    }),
  );
}

/** The record of the inputs' stats for the bundle of `fingerprint`. */
export const STATS = 'dist/sources-stat.json';

/** Writes the stats the inputs had when their bytes were read (best effort: a read-only install still runs). */
export function writeStats(root, fingerprint, stats) {
  const tmp = `${join(root, STATS)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    writeFileSync(tmp, `${JSON.stringify({ fingerprint, stats })}\n`);
    renameSync(tmp, join(root, STATS));
  } catch {
    // Not writable, or full: the next start hashes again.
    rmSync(tmp, { force: true });
  }
}

/** Whether every input has the stat recorded for the bundle of `fingerprint`, and there is no other input. */
function statsHold(root, fingerprint) {
  let record;
  try {
    record = JSON.parse(readFileSync(join(root, STATS), 'utf8'));
  } catch {
    return false;
  }
  if (record?.fingerprint !== fingerprint || !Array.isArray(record.stats)) return false;
  const paths = sourcePaths(root);
  if (paths.length !== record.stats.length) return false;
  return paths.every((p, i) => {
    const [path, stat] = record.stats[i];
    return path === p && stat === statOf(join(root, p));
  });
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
  const built = header.slice(HEADER.length);
  try {
    if (statsHold(root, built)) return { path: join(root, BUNDLE), checked: 'stat' };
  } catch {
    /* an input went away meanwhile: hashed below */
  }
  let now;
  const stats = [];
  try {
    now = fingerprintOf(readSources(root, stats));
  } catch (e) {
    return { stale: `sources unreadable (${e.code ?? e.message})` };
  }
  if (built !== now) return { stale: `${BUNDLE} is older than the sources (npm run build updates it)` };
  writeStats(root, built, stats);
  return { path: join(root, BUNDLE), checked: 'content' };
}
