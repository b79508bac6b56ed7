// A guard in a command chain: probes run again on the host, each answer compared by sha256 with the one a plan was made from.
import { createHash } from 'node:crypto';
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

/**
 * The shell text of a guard: each probe's text (as the command shell would run it: privilege
 * included) in a subshell with stdin from /dev/null, its output to files, then the digest of
 * what it gave against the expected one. Stops at the first difference.
 */
export function guardScript(probes: readonly { text: string; digest: string }[]): string {
  // The trap removes the folder however the script ends (a probe's text the shell cannot parse included).
  const lines = [`__sp_t=$(mktemp -d 2>/dev/null) || exit ${GUARD_DIFFERS}`, `trap 'rm -rf "$__sp_t"' EXIT`];
  for (const p of probes) {
    lines.push(
      // A space after the parenthesis: text that starts with one must not make it `((`, arithmetic.
      `( ${p.text}`,
      `) </dev/null >"$__sp_t/o" 2>"$__sp_t/e"; __sp_r=$?`,
      `[ "$({ cat "$__sp_t/o"; printf '\\000%s\\000' "$__sp_r"; cat "$__sp_t/e"; } | sha256sum 2>/dev/null)" = '${p.digest}  -' ] || exit ${GUARD_DIFFERS}`,
    );
  }
  lines.push('exit 0');
  return lines.join('\n');
}
