// Real controller files for write tests: random bytes written a MiB at a time, known by size and sha256, never held whole.
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, createReadStream, openSync, writeSync } from 'node:fs';
import type { ControllerFile } from '../../src/transport/types.js';

const MIB = 1024 * 1024;

/** Writes `bytes` random bytes to `file` (binary: NUL and invalid UTF-8 included). */
export function makeControllerFile(file: string, bytes: number): ControllerFile {
  const hash = createHash('sha256');
  const fd = openSync(file, 'wx');
  try {
    for (let left = bytes; left > 0; left -= MIB) {
      const chunk = randomBytes(Math.min(MIB, left));
      hash.update(chunk);
      writeSync(fd, chunk);
    }
  } finally {
    closeSync(fd);
  }
  return { file, size: bytes, sha256: hash.digest('hex') };
}

/** A file's sha256, streamed. */
export function sha256OfFile(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(file)
      .on('data', (d) => hash.update(d))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}
