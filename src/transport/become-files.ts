// Shell scripts for reading and writing files with privilege escalation (the content travels on stdin).
import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import { readOnly, sh, type Become, type Command } from '../command.js';
import { FileTransferError } from './errors.js';
import type { ExecResult, Transport, WriteContent } from './types.js';
import { sumOf, type FileSum } from '../file-sum.js';

/** Exit code of becomeReadCommand when the file does not exist (distinct from cat's and sudo's 1). */
export const ABSENT_EXIT = 44;

/** `.<name>.stackplay-<random>` beside the target: same filesystem, so the final rename is atomic. */
export function tempPathFor(path: string): string {
  return posix.join(posix.dirname(path), `.${posix.basename(path)}.stackplay-${randomBytes(6).toString('hex')}`);
}

const READ = `[ -e "$1" ] || exit ${ABSENT_EXIT}; exec cat -- "$1"`;

export const becomeReadCommand = (path: string, become: Become): Command => ({
  ...readOnly(sh`sh -c ${READ} stackplay-read ${path}`),
  become,
});

/** The last lines of a failed file command's stderr, else its exit. */
export const whyFailed = (r: ExecResult): string =>
  r.stderr.trim().split('\n').slice(-3).join('\n') || `exit ${r.code ?? r.signal}`;

/** Reads a file through the privileged read command on any transport: its content, or null when absent. */
export async function readWithBecome(
  t: Pick<Transport, 'host' | 'exec'>,
  path: string,
  become: Become,
): Promise<string | null> {
  const r = await t.exec(becomeReadCommand(path, become));
  if (r.code === 0) return r.stdout;
  if (r.code === ABSENT_EXIT) return null;
  throw new FileTransferError(t.host, 'read', path, whyFailed(r));
}

// The byte count and sha256 checks guard against a session lost mid-transfer (cat would see EOF)
// and a controller file changed while it was sent: such a file is never renamed over the target.
const WRITE = [
  'n=$1; t=$2; size=$3; sum=$4; mode=$5',
  'umask 077',
  'fail() { rm -f "$n"; exit 1; }',
  'cat > "$n" || fail',
  '[ $(( $(wc -c < "$n") )) -eq "$size" ] || { echo "stackplay: received a truncated file" >&2; fail; }',
  'got=$(sha256sum < "$n") || fail',
  '[ "${got%% *}" = "$sum" ] || { echo "stackplay: received bytes that do not match the planned sha256" >&2; fail; }',
  // mv would put the file inside a folder (or a link to one) that took the target's place since the plan.
  'if [ -d "$t" ]; then echo "Failure (it is a directory)" >&2; fail; fi',
  'if [ -e "$t" ]; then chown --reference="$t" "$n" 2>/dev/null || true; fi',
  'if [ -n "$mode" ]; then chmod "$mode" "$n" || fail',
  'elif [ -e "$t" ]; then chmod --reference="$t" "$n" || fail',
  'else chmod 0644 "$n" || fail; fi',
  'mv -f "$n" "$t" || fail',
].join('\n');

/**
 * Writes stdin to a temp file beside `path`, checks its size and sha256, sets the mode (given, else
 * the old file's, else 0644), renames it over.
 */
export function becomeWriteCommand(path: string, sum: FileSum, mode: string | undefined, become: Become): Command {
  const cmd = sh`sh -c ${WRITE} stackplay-write ${tempPathFor(path)} ${path} ${sum.size} ${sum.sha256} ${mode ?? ''}`;
  return { ...cmd, display: `write ${path} (become)`, become };
}

/** Writes through the privileged write command on any transport: text on stdin, a controller file streamed. */
export async function writeWithBecome(
  t: Pick<Transport, 'host' | 'exec'>,
  path: string,
  content: WriteContent,
  mode: string | undefined,
  become: Become,
): Promise<void> {
  const input = typeof content === 'string' ? { stdin: content } : { stdinFile: content.file };
  const r = await t.exec(becomeWriteCommand(path, sumOf(content), mode, become), input);
  if (r.code !== 0) throw new FileTransferError(t.host, 'write', path, whyFailed(r));
}

/** Validates an octal mode string such as "0644" or "755". */
export function parseMode(mode: string): number {
  if (!/^0?[0-7]{3,4}$/.test(mode)) throw new RangeError(`file mode must be octal like "0644", got "${mode}"`);
  return parseInt(mode, 8);
}
