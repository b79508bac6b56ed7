// Files the engine writes on the controller (fetch): parent folders created, temp file then rename.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

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
