// File reads and atomic writes over SFTP: temp file beside the target, mode, then a rename over it.
import type { SFTPWrapper } from 'ssh2';
import { parseMode, tempPathFor } from './become-files.js';

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

const CHUNK = 32 * 1024;

/**
 * Writes the whole buffer, sets the mode and closes the handle, sending every request at once:
 * sftp-server answers them in order, so this costs one round trip instead of one per request.
 * Waits for all answers (the handle is always closed), then throws the first failure.
 */
async function writeChmodClose(sftp: SFTPWrapper, handle: Buffer, data: Buffer, bits: number): Promise<void> {
  const ops: Promise<void>[] = [];
  for (let off = 0; off < data.length; off += CHUNK) {
    const len = Math.min(CHUNK, data.length - off);
    ops.push(call((cb) => sftp.write(handle, data, off, len, off, cb)));
  }
  ops.push(call((cb) => sftp.fchmod(handle, bits, cb)));
  ops.push(call((cb) => sftp.close(handle, cb)));
  const failed = (await Promise.allSettled(ops)).find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/** Writes `content` to a fresh temp file (0600), sets the mode, renames it over `path`; removes the temp file on failure. */
export async function sftpWriteAtomic(
  sftp: SFTPWrapper,
  path: string,
  content: string,
  mode: string | undefined,
  fallbackRename: (from: string, to: string) => Promise<void>,
): Promise<void> {
  const tmp = tempPathFor(path);
  try {
    const bits = mode !== undefined ? parseMode(mode) : await modeOf(sftp, path);
    const handle = await call<Buffer>((cb) => sftp.open(tmp, 'wx', { mode: 0o600 }, cb));
    await writeChmodClose(sftp, handle, Buffer.from(content, 'utf8'), bits);
    await replace(sftp, tmp, path, fallbackRename);
  } catch (e) {
    await call((cb) => sftp.unlink(tmp, cb)).catch(() => undefined);
    throw e;
  }
}
