// The one way a controller-side input file is read: regular files only (a FIFO or device would hang), valid UTF-8.
import { isUtf8 } from 'node:buffer';
import { closeSync, constants, fstatSync, openSync, readFileSync, statSync, type Stats } from 'node:fs';

/** Larger inputs are refused rather than read into memory (an inventory of 100,000 hosts is a few MB). */
export const MAX_INPUT_BYTES = 256 * 1024 * 1024;

/** Why a file could not be used as an input; `at` is 1-based, set for bad bytes. */
export class InputFileError extends Error {
  constructor(
    readonly file: string,
    readonly why: string,
    readonly at?: { line: number; col: number },
  ) {
    super(`cannot read ${file}: ${why}`);
    this.name = 'InputFileError';
  }
}

function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'is a directory';
  if (st.isFIFO()) return 'is a named pipe (FIFO), not a regular file';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'is a device, not a regular file';
  if (st.isSocket()) return 'is a socket, not a regular file';
  return 'is not a regular file';
}

const openError = (e: NodeJS.ErrnoException): string =>
  e.code === 'ENOENT'
    ? 'no such file'
    : e.code === 'EACCES'
      ? 'permission denied'
      : e.code === 'EISDIR'
        ? 'is a directory'
        : e.message;

/**
 * Opens a regular file for reading, with its fstat; the caller closes `fd`. Opened non-blocking and
 * checked on the same descriptor, so a FIFO, a device or a directory is refused without blocking on it.
 */
export function openInputFile(file: string): { fd: number; st: Stats } {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (e) {
    throw new InputFileError(file, openError(e as NodeJS.ErrnoException));
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new InputFileError(file, kindOf(st));
    return { fd, st };
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}

/** Reads a regular file whole (openInputFile), up to MAX_INPUT_BYTES. */
export function readInputFile(file: string): Buffer {
  const { fd, st } = openInputFile(file);
  try {
    if (st.size > MAX_INPUT_BYTES)
      throw new InputFileError(file, `is ${st.size} bytes, more than the ${MAX_INPUT_BYTES} an input may have`);
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Line and column (1-based, in characters) of byte `offset` of a UTF-8 buffer. */
function positionOf(buf: Buffer, offset: number): { line: number; col: number } {
  const start = buf.lastIndexOf(0x0a, offset - 1) + 1;
  let line = 1;
  for (let i = buf.indexOf(0x0a); i >= 0 && i < offset; i = buf.indexOf(0x0a, i + 1)) line++;
  return { line, col: buf.subarray(start, offset).toString('utf8').length + 1 };
}

/** Byte offset of the first byte that is not part of a valid UTF-8 sequence. */
function firstBadByte(buf: Buffer): number {
  for (let i = 0; i < buf.length; ) {
    const b = buf[i]!;
    const len = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (len === 0 || i + len > buf.length || !isUtf8(buf.subarray(i, i + len))) return i;
    i += len;
  }
  return buf.length;
}

/** Decodes UTF-8 (a leading BOM dropped); invalid bytes are an error at their line and column, never U+FFFD. */
export function decodeInput(file: string, buf: Buffer): string {
  if (!isUtf8(buf)) {
    const at = positionOf(buf, firstBadByte(buf));
    throw new InputFileError(file, `invalid UTF-8 at line ${at.line}, column ${at.col}`, at);
  }
  return buf.toString('utf8').replace(/^\uFEFF/, '');
}

/** A regular file's text: readInputFile, then decodeInput. */
export const readInputText = (file: string): string => decodeInput(file, readInputFile(file));

/** Why an existing path cannot be an input (a directory, FIFO, device), or undefined (a regular file, or nothing there yet). */
export function notRegularFile(file: string): string | undefined {
  let st: Stats;
  try {
    st = statSync(file);
  } catch {
    return undefined;
  }
  return st.isFile() ? undefined : kindOf(st);
}
