// A planned step as events carry it: a write by size and sha256, never its content.
import { sumOf, type Step } from '../sdk.js';
import type { ContentShown, StepShown, WriteShown } from './events.js';

/** A secret's sha256 would let anyone test guesses of it: a secret content is shown by size only. */
const shown = (sum: { size: number; sha256: string }, secret: boolean | undefined): ContentShown =>
  secret ? { size: sum.size } : { size: sum.size, sha256: sum.sha256 };

/** The step as events show it; `diff` (only with --diff) is attached to a write. */
export function shownStep(step: Step, diff?: string): StepShown {
  if (step.kind !== 'write' && step.kind !== 'controller-write') return step;
  const secret = step.kind === 'write' ? step.secret : undefined;
  const after = step.kind === 'write' ? sumOf(step.content) : step.after;
  const view: WriteShown = {
    kind: step.kind,
    title: step.title,
    path: step.path,
    ...shown(after, secret),
    before: step.before && shown(step.before, secret),
  };
  if (step.kind === 'write') {
    if (step.mode !== undefined) view.mode = step.mode;
    if (step.secret) view.secret = true;
  }
  if (diff !== undefined) view.diff = diff;
  return view;
}
