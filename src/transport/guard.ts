// A guard in a command chain: probes run again on the host, each answer compared with the one a plan was made from.
import { createHash, randomBytes } from 'node:crypto';
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

/** A probe's answer small enough to compare as text in the guard itself. */
const COMPARE_MAX = 16 * 1024;

/** A probe as the guard runs it: its shell text and the answer it must give again. */
export interface GuardItem {
  text: string;
  expect: Pick<ExecResult, 'code' | 'stdout' | 'stderr'>;
}

/** The end line of the here-document holding an expected output: one that is not a line of it. */
function endLine(text: string): string | undefined {
  const lines = new Set(text.split('\n'));
  for (let i = 0; i < 8; i++) {
    const end = `__sp_expect_${randomBytes(6).toString('hex')}`;
    if (!lines.has(end)) return end;
  }
  return undefined;
}

/**
 * The shell text of a guard: each probe's text (as the command shell would run it: privilege
 * included) in a subshell with stdin from /dev/null and its output to files, then what it gave
 * against what it must give; stops at the first difference. An answer with no stderr (the usual
 * one) is compared byte for byte against the expected output in a here-document, with its exit
 * code and an empty stderr: by bash's own `read` (no process: a NUL in the output, which a shell
 * variable cannot hold, stops the read early and so never matches), by `cmp` in other shells; any
 * other answer by the sha256 of its files (answerDigest). A probe whose
 * files cannot be opened leaves its code "unrun", which no answer has. The files are emptied after
 * each probe (its output may be secret). `dir` is a private folder for them (the command shell's
 * own); without it the guard makes one.
 */
export function guardScript(probes: readonly GuardItem[], dir?: string): string {
  const lines: string[] = [];
  if (dir) lines.push(`__sp_t=${quote(dir)}`);
  // The trap removes the folder however the script ends (a probe's text the shell cannot parse included).
  else lines.push(`__sp_t=$(mktemp -d 2>/dev/null) || exit ${GUARD_DIFFERS}`, `trap 'rm -rf "$__sp_t"' EXIT`);
  const o = '"$__sp_t/o"';
  const e = '"$__sp_t/e"';
  lines.push(
    // read -d '' returns 1 at the end of its input, 0 at a NUL: only the first is the whole output.
    // The outputs are not left for the next probe to see (they may be secret).
    `if [ -n "\${BASH_VERSION-}" ]; then __sp_same() { __sp_x=; __sp_v=; IFS= read -r -d '' __sp_x; IFS= read -r -d '' __sp_v <${o}; [ $? = 1 ] && [ "$__sp_v" = "$__sp_x" ]; __sp_y=$?; __sp_x=; __sp_v=; return $__sp_y; }; else __sp_same() { cmp -s ${o} -; }; fi`,
  );
  for (const { text, expect } of probes) {
    // A space after the parenthesis: text that starts with one must not make it `((`, arithmetic.
    lines.push(`__sp_r=unrun; { ( ${text}`, `) </dev/null; __sp_r=$?; } >|${o} 2>|${e}`);
    const end =
      expect.stderr === '' &&
      expect.code !== null &&
      expect.stdout.length <= COMPARE_MAX &&
      !expect.stdout.includes('\0')
        ? endLine(expect.stdout)
        : undefined;
    if (end)
      lines.push(
        // The here-document ends its text with a newline: one more after the output makes the two alike.
        `__sp_ok=1; [ "$__sp_r" = ${expect.code} ] && [ ! -s ${e} ] && printf '\\n' >>${o} && __sp_same <<'${end}' && __sp_ok=0`,
        expect.stdout,
        end,
      );
    else
      lines.push(
        `__sp_ok=1; [ "$({ cat ${o}; printf '\\000%s\\000' "$__sp_r"; cat ${e}; } | sha256sum 2>/dev/null)" = '${answerDigest(expect)}  -' ] && __sp_ok=0`,
      );
    lines.push(`: >|${o}; : >|${e}; [ "$__sp_ok" = 0 ] || exit ${GUARD_DIFFERS}`);
  }
  lines.push('exit 0');
  return lines.join('\n');
}
