// Ending a timed-out remote command: sshd ignores "signal" requests in root sessions, so the
// command is tagged with a token in its environment and killed by process group from a new channel.
import { randomBytes } from 'node:crypto';
import { raw, sh, type Command } from '../command.js';

export const newRunToken = (): string => randomBytes(9).toString('hex');

/**
 * Prefix for a command's text. The login shell's command line carries the token until it execs
 * the last command; from then on the exported variable is in /proc/PID/environ of every process.
 */
export const tagWithToken = (text: string, token: string): string => `export STACKPLAY_RUN=${token}; ${text}`;

/**
 * Kills the process group of every process tagged with `token`. The token is split in the script
 * so that the script's own command line never contains it whole.
 */
export function killTaggedCommand(token: string): Command {
  const half = Math.floor(token.length / 2);
  const script = [
    `t=${token.slice(0, half)}; t="$t"${token.slice(half)}`,
    'for d in /proc/[0-9]*; do',
    '  p=${d#/proc/}; [ "$p" = "$$" ] && continue',
    '  if tr "\\0" "\\n" < "$d/environ" 2>/dev/null | grep -qxF "STACKPLAY_RUN=$t" || tr "\\0" " " < "$d/cmdline" 2>/dev/null | grep -qF "STACKPLAY_RUN=$t"; then',
    '    g=$(sed "s/.*) //" "$d/stat" 2>/dev/null | cut -d" " -f3)',
    '    if [ -n "$g" ] && [ "$g" -gt 1 ]; then kill -KILL -- "-$g" 2>/dev/null; fi',
    '    kill -KILL "$p" 2>/dev/null',
    '  fi',
    'done',
    'true',
  ].join('\n');
  return { ...sh`${raw(script)}`, display: 'kill the timed-out command' };
}
