// A small file written through the command shell: temp file beside it (0600), mode, rename; what SFTP does, in one request.
import { quote, wrapBecome, type Become } from '../command.js';
import { sumOf } from '../file-sum.js';
import { becomeWriteCommand, tempPathFor } from './become-files.js';
import type { BatchItem } from './shell-session.js';

/** Larger content goes over SFTP: the command shell reads its command text a byte at a time (base64, when used, makes it a third bigger). */
export const SHELL_WRITE_MAX = 16 * 1024;

/** Whether content is small enough for a shell write. */
export const fitsShellWrite = (content: string): boolean => Buffer.byteLength(content) <= SHELL_WRITE_MAX;

/** The here-document's end line: base64 text never holds an underscore. */
const END = '__sp_base64';

/**
 * `content` as base64 in a quoted here-document, the stdin of the command on the line before it:
 * the content is on no command line, whatever the login shell has built in.
 */
const hereDoc = (content: string): string => `${Buffer.from(content, 'utf8').toString('base64')}\n${END}`;

/**
 * How the content reaches the command: in a single-quoted `printf` argument when the login shell
 * has printf built in (no program is started for it, so it is on no command line either), else as
 * base64 in a quoted here-document on the stdin of `base64 -d`. Text holding NUL (which a shell's
 * words cannot) always takes the here-document.
 */
function contentSource(content: string, printfBuiltin: boolean): { cmd: string; doc: string } {
  if (printfBuiltin && !content.includes('\0')) return { cmd: `printf '%s' ${quote(content)}`, doc: '' };
  return { cmd: `base64 -d <<'${END}'`, doc: `\n${hereDoc(content)}` };
}

/**
 * The command writing `content` to `path` atomically, shown as `write PATH` (the content, which may
 * be secret, is never shown). A new file gets 0644 and an existing one keeps its mode unless `mode`
 * is given, as over SFTP. It runs in a subshell of its own (the command shell's): the
 * noclobber and umask it sets end with it. It starts nothing that outlives it, so its output (an
 * error message at most) goes straight to the command shell's streams.
 */
export function shellWrite(
  path: string,
  content: string,
  mode: string | undefined,
  o: { printfBuiltin: boolean },
): BatchItem {
  const p = quote(path);
  const t = quote(tempPathFor(path));
  const bits = mode !== undefined ? quote(mode) : `"$(stat -L -c %a -- ${p} 2>/dev/null || echo 644)"`;
  const src = contentSource(content, o.printfBuiltin);
  const text = [
    // A link to a folder too: mv would put the file inside it.
    `if [ -d ${p} ]; then echo 'Failure (it is a directory)' >&2; exit 1; fi`,
    'set -C; umask 077',
    // chmod even where a umask could give the mode: a folder's default ACL would take the umask's place.
    `${src.cmd} > ${t} && chmod ${bits} ${t} && mv -f -- ${t} ${p} || { __sp_rc=$?; rm -f -- ${t}; exit $__sp_rc; }${src.doc}`,
  ].join('\n');
  return { text, display: `write ${path}`, direct: true };
}

/**
 * The same with privilege, when it needs no password: the content, through a pipe, goes on stdin
 * to the privileged write script every become write runs (become-files.ts: size and sha256
 * checked, owner and mode kept or set, renamed over), as writeWithBecome sends it; on no command
 * line, sudo's included. Undefined when the privilege needs a password (it would have to go
 * on that stdin too, and stays off the shell).
 */
export function shellWriteAs(
  path: string,
  content: string,
  mode: string | undefined,
  b: Become,
  o: { printfBuiltin: boolean },
): BatchItem | undefined {
  const w = wrapBecome(becomeWriteCommand(path, sumOf(content), mode, b), b);
  if (w.stdinPrefix !== undefined || w.stdinSuffix !== undefined) return undefined;
  const src = contentSource(content, o.printfBuiltin);
  return { text: `${src.cmd} | ${w.text}${src.doc}`, display: w.display, direct: true };
}
