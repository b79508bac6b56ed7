// Read-only probes of remote paths: stat with checksum, content, existence.
import { defineFact, raw, readOnly, sh } from '../../src/sdk.js';

export type FileType = 'file' | 'directory' | 'link' | 'other';

/** What is at a path, without following a final symlink (like lstat). `mode` is 4 octal digits: "0644". */
export type FileStat =
  | { exists: false }
  | {
      exists: true;
      type: FileType;
      mode: string;
      owner: string;
      group: string;
      size: number;
      sha256?: string;
      target?: string;
    };

const TYPES: Record<string, FileType> = {
  'regular file': 'file',
  'regular empty file': 'file',
  directory: 'directory',
  'symbolic link': 'link',
};

const failure = (fact: string, path: string, out: { code: number | null; stderr: string }): Error =>
  new Error(
    `${fact} ${path}: probe exited ${out.code ?? 'by a signal'}${out.stderr.trim() ? `: ${out.stderr.trim()}` : ''}`,
  );

/** Type, mode, owner, group and size in one command; a file's sha256, a link's target. */
export const fileStat = defineFact({
  name: 'file_stat',
  command: (path: string) =>
    readOnly(
      sh`if [ -e ${path} ] || [ -L ${path} ]; then stat -c '%F|%a|%U|%G|%s' -- ${path} && if [ -L ${path} ]; then readlink -- ${path}; elif [ -f ${path} ]; then sha256sum -- ${path}; fi; else echo absent; fi`,
    ),
  parse(out, path): FileStat {
    if (out.code !== 0) throw failure('file_stat', path, out);
    const [first = '', second = ''] = out.stdout.split('\n');
    if (first === 'absent') return { exists: false };
    const fields = first.split('|');
    if (fields.length !== 5 || !/^[0-7]{3,4}$/.test(fields[1]!))
      throw new Error(`file_stat ${path}: unexpected output ${JSON.stringify(out.stdout)}`);
    const [kind, mode, owner, group, size] = fields as [string, string, string, string, string];
    const type = Object.hasOwn(TYPES, kind) ? TYPES[kind]! : 'other';
    const stat: FileStat = { exists: true, type, mode: mode.padStart(4, '0'), owner, group, size: Number(size) };
    if (type === 'link') stat.target = second;
    const sum = /^\\?([0-9a-f]{64}) /.exec(second);
    if (type === 'file' && sum) stat.sha256 = sum[1]!;
    return stat;
  },
});

/**
 * The name prefix of the temp files copy and template write beside `path` before renaming them
 * over it (the transport's tempPathFor): `.<basename>.stackplay-`, then 12 hex digits.
 */
export function tempPrefixFor(path: string): string {
  const slash = path.lastIndexOf('/');
  return `${path.slice(0, slash + 1)}.${path.slice(slash + 1)}.stackplay-`;
}

/** Minutes a temp file must be untouched before copy/template take it for a leftover of an interrupted write. */
export const LEFTOVER_MINUTES = 2;

/** Leftover temp files of `path` named on their own lines in `text`; anything else is ignored. */
function leftoversIn(text: string, path: string): string[] {
  const prefix = tempPrefixFor(path);
  const found = text.split('\n').filter((l) => l.startsWith(prefix) && /^[0-9a-f]{12}$/.test(l.slice(prefix.length)));
  return [...new Set(found)].sort();
}

/**
 * Lists, on stderr so stdout keeps its shape, the temp files an interrupted write left beside `path`
 * (a glob; `find` runs only when there is one). Only those untouched for LEFTOVER_MINUTES count: a
 * younger one may be another host's write in flight to the same file on shared storage.
 */
const listLeftovers = (path: string) =>
  raw(
    sh`for f in ${tempPrefixFor(path)}*; do [ -f "$f" ] && find "$f" -maxdepth 0 -mmin +${LEFTOVER_MINUTES} -print >&2; done`
      .text,
  );

/**
 * fileStat (with a regular file's size and sha256, computed on the host) and the leftover temp
 * files of an interrupted write, in one command: what copy and template need to plan, without
 * downloading the file.
 */
export const fileStatLeftovers = defineFact({
  name: 'file_stat_leftovers',
  command: (path: string) => readOnly(sh`${listLeftovers(path)}; ${raw(fileStat.command(path).text)}`),
  parse(out, path): { stat: FileStat; leftovers: string[] } {
    if (out.code !== 0) throw failure('file_stat_leftovers', path, out);
    const stat = fileStat.parse(out, path);
    if (stat.exists && stat.type === 'file' && !stat.sha256)
      throw new Error(`file_stat_leftovers ${path}: no checksum in ${JSON.stringify(out.stdout.slice(0, 200))}`);
    return { stat, leftovers: leftoversIn(out.stderr, path) };
  },
});

/**
 * fileStatLeftovers and, for a regular file, its content, in one command: what lineinfile and
 * blockinfile need to edit it, with one round trip to sshd instead of a probe and an SFTP read.
 */
export const fileStatContent = defineFact({
  name: 'file_stat_content',
  command: (path: string) =>
    readOnly(
      sh`${listLeftovers(path)}; if [ -e ${path} ] || [ -L ${path} ]; then stat -c '%F|%a|%U|%G|%s' -- ${path} && if [ -L ${path} ]; then readlink -- ${path}; elif [ -f ${path} ]; then sha256sum -- ${path} && cat -- ${path}; fi; else echo absent; fi`,
    ),
  parse(out, path): { stat: FileStat; content: string | null; leftovers: string[] } {
    if (out.code !== 0) throw failure('file_stat_content', path, out);
    const leftovers = leftoversIn(out.stderr, path);
    const first = out.stdout.indexOf('\n');
    const second = first < 0 ? -1 : out.stdout.indexOf('\n', first + 1);
    const head = second < 0 ? out.stdout : out.stdout.slice(0, second + 1);
    const stat = fileStat.parse({ ...out, stdout: head }, path);
    if (!stat.exists || stat.type !== 'file') return { stat, content: null, leftovers };
    if (second < 0 || !stat.sha256)
      throw new Error(`file_stat_content ${path}: no checksum in ${JSON.stringify(out.stdout.slice(0, 200))}`);
    return { stat, content: out.stdout.slice(second + 1), leftovers };
  },
});

/** A regular file's content (following symlinks); null when there is no regular file there. */
export const fileContent = defineFact({
  name: 'file_content',
  command: (path: string) => readOnly(sh`if [ -f ${path} ]; then cat -- ${path}; else exit 3; fi`),
  parse(out, path): string | null {
    if (out.code === 3) return null;
    if (out.code !== 0) throw failure('file_content', path, out);
    return out.stdout;
  },
});

/** Whether anything (file, directory, link, even a dangling one) is at the path. */
export const pathExists = defineFact({
  name: 'path_exists',
  command: (path: string) => readOnly(sh`[ -e ${path} ] || [ -L ${path} ]`),
  parse(out, path): boolean {
    if (out.code === 0) return true;
    if (out.code === 1) return false;
    throw failure('path_exists', path, out);
  },
});

/** A file's sha1 and its bytes as base64 in one probe (following a link, as Ansible's fetch does). */
export type RemoteFile =
  | { kind: 'absent' | 'directory' | 'unreadable' }
  | { kind: 'file'; sha1: string; base64: string };

export const fileBytes = defineFact({
  name: 'file_bytes',
  command: (path: string) =>
    readOnly(
      sh`if [ -d ${path} ]; then echo directory; elif [ ! -e ${path} ]; then echo absent; elif [ ! -r ${path} ]; then echo unreadable; else printf 'file '; sha1sum < ${path} && base64 -w 0 < ${path} && echo; fi`,
    ),
  parse(out, path): RemoteFile {
    if (out.code !== 0) throw failure('file_bytes', path, out);
    const [head = '', body = ''] = out.stdout.split('\n');
    if (head === 'absent' || head === 'directory' || head === 'unreadable') return { kind: head };
    const sum = /^file ([0-9a-f]{40}) /.exec(head);
    if (!sum) throw new Error(`file_bytes ${path}: unexpected output ${JSON.stringify(out.stdout.slice(0, 200))}`);
    return { kind: 'file', sha1: sum[1]!, base64: body };
  },
});

/** The path with every symbolic link resolved (`readlink -m`: the last parts need not exist). */
export const resolvedPath = defineFact({
  name: 'resolved_path',
  command: (path: string) => readOnly(sh`readlink -m -- ${path}`),
  parse(out, path): string {
    const resolved = out.stdout.replace(/\n$/, '');
    if (out.code !== 0 || !resolved.startsWith('/')) throw failure('resolved_path', path, out);
    return resolved;
  },
});
