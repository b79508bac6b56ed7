// Sending a controller file to a host without reading it whole: checked chunks, or piped into a command's stdin.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import type { ControllerFile } from './types.js';

/** Size of one read from disk (and of one SFTP write request). */
export const CHUNK = 32 * 1024;

/**
 * The file's bytes in chunks of at most CHUNK, read in order. After the last one the size and
 * sha256 are checked against the plan's: a file changed since planning throws, so the caller
 * never renames what it wrote over the target.
 */
export async function* controllerChunks(f: ControllerFile): AsyncGenerator<Buffer> {
  const fd = await open(f.file, 'r');
  const hash = createHash('sha256');
  let size = 0;
  try {
    for (;;) {
      const buf = Buffer.allocUnsafe(CHUNK);
      const { bytesRead } = await fd.read(buf, 0, CHUNK, size);
      if (bytesRead === 0) break;
      const chunk = buf.subarray(0, bytesRead);
      hash.update(chunk);
      size += bytesRead;
      yield chunk;
    }
  } finally {
    await fd.close();
  }
  const sha256 = hash.digest('hex');
  if (size !== f.size || sha256 !== f.sha256)
    throw new Error(
      `${f.file} changed on the controller since it was planned (${f.size} bytes, sha256 ${f.sha256}; now ${size} bytes, sha256 ${sha256})`,
    );
}

/**
 * Writes `text`, then streams `file` (when given) into `to` with backpressure, then ends it. A read
 * error ends the input early: the command sees a short file (become-files.ts refuses those).
 */
export function sendStdin(to: Writable, text: string, file: string | undefined): void {
  if (file === undefined) {
    to.end(text === '' ? undefined : text);
    return;
  }
  if (text !== '') to.write(text);
  const source = createReadStream(file, { highWaterMark: CHUNK });
  source.on('error', () => to.end());
  source.pipe(to);
}
