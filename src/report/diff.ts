// How a planned step is shown: unified diffs for writes, "~ what: before -> after" for the rest.
import { createTwoFilesPatch } from 'diff';
import type { Step } from '../sdk.js';

const MAX_DIFF_LINES = 200;

export function unifiedDiff(path: string, before: string | null, after: string): string {
  const patch = createTwoFilesPatch(
    before === null ? '/dev/null' : `a${path}`,
    `b${path}`,
    before ?? '',
    after,
    undefined,
    undefined,
    { context: 3 },
  );
  const lines = patch.split('\n').filter((l) => !l.startsWith('====='));
  const body =
    lines.length > MAX_DIFF_LINES
      ? [...lines.slice(0, MAX_DIFF_LINES), `... (${lines.length - MAX_DIFF_LINES} more lines)`]
      : lines;
  return body.join('\n').replace(/\n+$/, '');
}

/** One step as the user reads it; with `diff`, write steps carry their unified diff. */
export function describeStep(step: Step, diff: boolean): string {
  if (step.kind === 'write') {
    if (!diff) return step.title;
    if (step.secret) return `${step.title}\n  (content hidden: secret)`;
    return `${step.title}\n${unifiedDiff(step.path, step.before, step.after).replace(/^/gm, '  ')}`;
  }
  if (step.kind === 'controller-write')
    return diff ? `${step.title}\n${unifiedDiff(step.path, step.before, step.after).replace(/^/gm, '  ')}` : step.title;
  if (step.kind === 'exec')
    return step.title === step.cmd.display
      ? `run ${step.title}`
      : `${step.title}${diff ? `\n  $ ${step.cmd.display}` : ''}`;
  return step.title;
}
