// Files the engine reads and writes on the controller: fetch's atomic writes, copy's sources by size and sha256.
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, createReadStream } from 'node:fs';
import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { openInputFile } from '../load/input-file.js';
import type { ControllerFile } from '../transport/types.js';

/** Reads a controller file as bytes; a relative path is relative to `base`. */
export async function readControllerFile(
  base: string,
  path: string,
): Promise<{ path: string; bytes: Uint8Array | null; directory?: boolean }> {
  const full = resolve(base, path);
  try {
    return { path: full, bytes: await readFile(full) };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { path: full, bytes: null };
    if (code === 'EISDIR') return { path: full, bytes: null, directory: true };
    throw e;
  }
}

/** Writes `bytes` to the absolute `path` atomically, creating its parent folders. */
export async function writeControllerFile(path: string, bytes: Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.stackplay-${randomBytes(6).toString('hex')}`;
  try {
    await writeFile(tmp, bytes, { flag: 'wx', mode: 0o644 });
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => {});
    throw e;
  }
}

// Every host plans a copy twice (plan, re-plan): a file is hashed once while it stays the same
// (same inode, size and mtime), not once per host and plan.
const sums = new Map<string, Promise<ControllerFile>>();

/** A regular controller file (absolute path) by size and sha256, streamed through the hash in chunks. */
export function controllerFileSum(file: string): Promise<ControllerFile> {
  const { fd, st } = openInputFile(file);
  const key = `${file}\0${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}`;
  const known = sums.get(key);
  if (known) {
    closeSync(fd);
    return known;
  }
  const hashed = new Promise<ControllerFile>((res, rej) => {
    const hash = createHash('sha256');
    let size = 0;
    createReadStream('', { fd, autoClose: true })
      .on('data', (chunk) => {
        size += chunk.length;
        hash.update(chunk);
      })
      .on('error', rej)
      .on('end', () => res({ file, size, sha256: hash.digest('hex') }));
  });
  sums.set(key, hashed);
  hashed.catch(() => sums.delete(key));
  return hashed;
}
