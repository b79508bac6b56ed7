// File reads and atomic writes over SFTP: temp file beside the target, mode, then a rename over it.
import type { SFTPWrapper } from 'ssh2';
import { parseMode, tempPathFor } from './become-files.js';
import { CHUNK, controllerChunks } from './controller-file.js';
import type { WriteContent } from './types.js';

const SFTP_NO_SUCH_FILE = 2;

function call<T = void>(f: (cb: (err: Error | undefined | null, v?: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => f((err, v) => (err ? reject(err) : resolve(v as T))));
}

/** The file's text, or null when it does not exist. Other failures throw the SFTP error. */
export async function sftpRead(sftp: SFTPWrapper, path: string): Promise<string | null> {
  try {
    return (await call<Buffer>((cb) => sftp.readFile(path, cb))).toString('utf8');
  } catch (e) {
    if ((e as { code?: unknown }).code === SFTP_NO_SUCH_FILE) return null;
    throw e;
  }
}

/** The target's current mode, so an overwrite keeps it; 0644 for a new file. */
async function modeOf(sftp: SFTPWrapper, path: string): Promise<number> {
  try {
    return (await call<{ mode: number }>((cb) => sftp.stat(path, cb))).mode & 0o7777;
  } catch {
    return 0o644;
  }
}

/**
 * posix-rename@openssh.com when the server offers it (a plain SFTP rename fails over an existing
 * file on many servers); else `fallback` (mv -f through exec).
 */
async function replace(
  sftp: SFTPWrapper,
  from: string,
  to: string,
  fallback: (from: string, to: string) => Promise<void>,
): Promise<void> {
  let supported = true;
  await call((cb) => {
    try {
      sftp.ext_openssh_rename(from, to, cb);
    } catch {
      supported = false;
      cb(undefined);
    }
  });
  if (!supported) await fallback(from, to);
}

/** SFTP write requests in flight at once while a controller file streams: memory stays near WINDOW * CHUNK. */
const WINDOW = 64;

/**
 * Sends the content as write requests without waiting between them: sftp-server answers them in
 * order, so a small content costs one round trip. A controller file is read in chunks and at most
 * WINDOW requests are in flight, so it is never held whole in memory. Resolves with the first failure, if any.
 */
async function writeContent(sftp: SFTPWrapper, handle: Buffer, content: WriteContent): Promise<unknown> {
  let failure: unknown;
  const inFlight: Promise<void>[] = [];
  const send = (data: Buffer, at: number) =>
    inFlight.push(
      call((cb) => sftp.write(handle, data, 0, data.length, at, cb)).catch((e: unknown) => {
        failure ??= e;
      }),
    );
  if (typeof content === 'string') {
    const data = Buffer.from(content, 'utf8');
    for (let off = 0; off < data.length; off += CHUNK) send(data.subarray(off, off + CHUNK), off);
  } else {
    try {
      let off = 0;
      for await (const chunk of controllerChunks(content)) {
        send(chunk, off);
        off += chunk.length;
        if (inFlight.length >= WINDOW) await inFlight.shift();
        if (failure) break;
      }
    } catch (e) {
      failure ??= e;
    }
  }
  await Promise.all(inFlight);
  return failure;
}

/** Writes the content, sets the mode and closes the handle (always), then throws the first failure. */
async function writeChmodClose(sftp: SFTPWrapper, handle: Buffer, content: WriteContent, bits: number): Promise<void> {
  // Text goes out in one burst with the mode and the close (writeContent sends it before its first
  // await); a streamed file gets its mode and close once all of it is sent.
  const written = writeContent(sftp, handle, content);
  if (typeof content !== 'string') await written;
  const closed = await Promise.allSettled([
    call((cb) => sftp.fchmod(handle, bits, cb)),
    call((cb) => sftp.close(handle, cb)),
  ]);
  const failure = (await written) ?? closed.find((r): r is PromiseRejectedResult => r.status === 'rejected')?.reason;
  if (failure) throw failure;
}

/** Writes `content` to a fresh temp file (0600), sets the mode, renames it over `path`; removes the temp file on failure. */
export async function sftpWriteAtomic(
  sftp: SFTPWrapper,
  path: string,
  content: WriteContent,
  mode: string | undefined,
  fallbackRename: (from: string, to: string) => Promise<void>,
): Promise<void> {
  const tmp = tempPathFor(path);
  try {
    const bits = mode !== undefined ? parseMode(mode) : await modeOf(sftp, path);
    const handle = await call<Buffer>((cb) => sftp.open(tmp, 'wx', { mode: 0o600 }, cb));
    await writeChmodClose(sftp, handle, content, bits);
    await replace(sftp, tmp, path, fallbackRename);
  } catch (e) {
    await call((cb) => sftp.unlink(tmp, cb)).catch(() => undefined);
    throw e;
  }
}
