// A guard in a command chain: probes run again on the host, each answer compared by sha256 with the one a plan was made from.
import { createHash } from 'node:crypto';
import { quote } from '../command.js';
import type { ExecResult } from './types.js';

/** What a guard exits with when an answer differs (or cannot be had): the steps after it do not run. */
export const GUARD_DIFFERS = 1;

/**
 * The digest of an answer as the guard computes it on the host: sha256 of stdout, NUL, the exit
 * code in decimal, NUL, stderr. An answer the host cannot give again (no exit code, text that was
 * not valid UTF-8) simply never matches: the plan is made again from a fresh answer.
 */
export function answerDigest(r: Pick<ExecResult, 'code' | 'stdout' | 'stderr'>): string {
  return createHash('sha256')
    .update(r.stdout, 'utf8')
    .update(`\0${r.code === null ? 'none' : String(r.code)}\0`)
    .update(r.stderr, 'utf8')
    .digest('hex');
}

/** A probe's answer small enough to compare as text in the guard itself (a shell string holds no NUL). */
const COMPARE_MAX = 16 * 1024;

/** A probe as the guard runs it: its shell text and the answer it must give again. */
export interface GuardItem {
  text: string;
  expect: Pick<ExecResult, 'code' | 'stdout' | 'stderr'>;
}

/**
 * The shell text of a guard: each probe's text (as the command shell would run it: privilege
 * included) in a subshell with stdin from /dev/null, then what it gave against what it must give;
 * stops at the first difference. An answer with no stderr (the usual one) is compared as text,
 * stdout and exit code from one command substitution (no program run but the probe's own) and
 * stderr by being empty; any other by the sha256 of its output files (answerDigest). `dir` is a
 * private folder for those files (the command shell's own); without it the guard makes one.
 */
export function guardScript(probes: readonly GuardItem[], dir?: string): string {
  const lines: string[] = [];
  if (dir) lines.push(`__sp_t=${quote(dir)}`);
  // The trap removes the folder however the script ends (a probe's text the shell cannot parse included).
  else lines.push(`__sp_t=$(mktemp -d 2>/dev/null) || exit ${GUARD_DIFFERS}`, `trap 'rm -rf "$__sp_t"' EXIT`);
  for (const { text, expect } of probes) {
    // A space after the parenthesis: text that starts with one must not make it `((`, arithmetic.
    if (
      expect.stderr === '' &&
      expect.code !== null &&
      expect.stdout.length <= COMPARE_MAX &&
      !expect.stdout.includes('\0')
    )
      lines.push(
        // `x` and the code after the output keep its trailing newlines, which a substitution drops.
        `[ "$( ( ${text}`,
        `) </dev/null 2>"$__sp_t/e"; printf 'x%s' "$?")" = ${quote(`${expect.stdout}x${expect.code}`)} ] && [ ! -s "$__sp_t/e" ] || exit ${GUARD_DIFFERS}`,
      );
    else
      lines.push(
        `( ${text}`,
        `) </dev/null >"$__sp_t/o" 2>"$__sp_t/e"; __sp_r=$?`,
        `[ "$({ cat "$__sp_t/o"; printf '\\000%s\\000' "$__sp_r"; cat "$__sp_t/e"; } | sha256sum 2>/dev/null)" = '${answerDigest(expect)}  -' ] || exit ${GUARD_DIFFERS}`,
      );
  }
  lines.push('exit 0');
  return lines.join('\n');
}
