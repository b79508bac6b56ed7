// How a planned step is shown: unified diffs for writes, "~ what: before -> after" for the rest.
import { createTwoFilesPatch } from 'diff';
import type { StepShown } from './events.js';

const MAX_DIFF_LINES = 200;
/** A diff is cut at this many characters too, so one event line stays well under 64 KB. */
const MAX_DIFF_CHARS = 32 * 1024;

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
  const body: string[] = [];
  let chars = 0;
  for (const [i, line] of lines.entries()) {
    chars += line.length + 1;
    if (i >= MAX_DIFF_LINES || chars > MAX_DIFF_CHARS) {
      body.push(`... (${lines.length - i} more lines)`);
      break;
    }
    body.push(line);
  }
  return body.join('\n').replace(/\n+$/, '');
}

/** One step as the user reads it; with `diff`, write steps carry their (capped) unified diff. */
export function describeStep(step: StepShown, diff: boolean): string {
  if (step.kind === 'write' || step.kind === 'controller-write') {
    if (!diff) return step.title;
    if (step.secret) return `${step.title}\n  (content hidden: secret)`;
    return step.diff === undefined ? step.title : `${step.title}\n${step.diff.replace(/^/gm, '  ')}`;
  }
  if (step.kind === 'exec')
    return step.title === step.cmd.display
      ? `run ${step.title}`
      : `${step.title}${diff ? `\n  $ ${step.cmd.display}` : ''}`;
  return step.title;
}
