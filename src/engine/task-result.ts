// The results a task registers, shaped as ansible-core 2.14 shapes them (command output, skips, loops).
import type { Plan } from '../sdk.js';
import type { ExecResult } from '../transport/types.js';

export const SKIP_REASON = 'Conditional result was False';

/** Output without its trailing newlines, as Ansible's command module returns it (strip_empty_ends). */
const trimEnd = (s: string): string => s.replace(/[\r\n]+$/, '');
/** Python's splitlines() of the trimmed output: no lines for empty output. */
const lines = (s: string): string[] => (s === '' ? [] : s.split(/\r?\n/));

/** rc, stdout, stderr and their lines, as a command result carries them whether it failed or not. */
export function execFields(exec: ExecResult): Record<string, unknown> {
  const stdout = trimEnd(exec.stdout);
  const stderr = trimEnd(exec.stderr);
  return { rc: exec.code, stdout, stderr, stdout_lines: lines(stdout), stderr_lines: lines(stderr) };
}

/** What a task that planned and (maybe) ran registers. */
export const resultOf = (plan: Plan, exec: ExecResult | undefined, changed: boolean): Record<string, unknown> => ({
  changed,
  failed: false,
  ...(exec ? execFields(exec) : {}),
  ...(plan.note ? { msg: plan.note } : {}),
  ...plan.data,
});

/**
 * A command that exited non-zero: it ran, so (as in Ansible) it reports changed with its output and
 * "non-zero return code"; failed_when / changed_when may still turn it into a success.
 */
export const failedExecResult = (plan: Plan, exec: ExecResult, ranCommand: boolean): Record<string, unknown> => ({
  ...resultOf(plan, exec, ranCommand),
  failed: true,
  msg: 'non-zero return code',
});

/** A task, or one loop item, whose `when` was false. */
export const skippedResult = (): Record<string, unknown> => ({
  changed: false,
  skipped: true,
  skip_reason: SKIP_REASON,
});

/** A task skipped by `when`, or a loop whose every item was (a check-mode command that would run is not: it is changed). */
export const skippedByWhen = (r: Record<string, unknown>): boolean => r.skipped === true && r.changed === false;

/** A loop's result: its items' results, changed/failed when any item is, skipped when every item is. */
export function loopResult(results: Record<string, unknown>[]): Record<string, unknown> {
  if (results.every(skippedByWhen))
    return {
      results,
      changed: false,
      skipped: true,
      msg: results.length === 0 ? 'No items in the list' : 'All items skipped',
    };
  const failed = results.some((r) => r.failed);
  return {
    results,
    changed: results.some((r) => r.changed),
    failed,
    ...(failed ? { msg: 'One or more items failed' } : {}),
  };
}
