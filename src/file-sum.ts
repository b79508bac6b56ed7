// A file's content by size and sha256: how plans, events and the write checks name it.
import { createHash } from 'node:crypto';
import type { WriteContent } from './transport/types.js';

/** What a file holds, as plans and events name it: its size in bytes and sha256, never its content. */
export interface FileSum {
  size: number;
  sha256: string;
}

/** Size and sha256 of content as a write puts it in a file (text as UTF-8). */
export function sumOf(content: WriteContent | Uint8Array): FileSum {
  if (typeof content === 'string')
    return { size: Buffer.byteLength(content, 'utf8'), sha256: createHash('sha256').update(content).digest('hex') };
  if (content instanceof Uint8Array)
    return { size: content.length, sha256: createHash('sha256').update(content).digest('hex') };
  return { size: content.size, sha256: content.sha256 };
}
