// With --diff: a write's unified diff from at most DIFF_MAX_BYTES of each side, or a note saying why none is shown.
import { readFile } from 'node:fs/promises';
import { readOnly, sh, type Become } from '../command.js';
import type { Plan, Step, WriteContent } from '../sdk.js';
import type { PlanShown } from '../report/events.js';
import { unifiedDiff } from '../report/diff.js';
import { shownStep } from '../report/step-shown.js';
import type { Transport } from '../transport/types.js';

/** Neither side of a diff is read beyond this many bytes (README, "Check mode"). */
export const DIFF_MAX_BYTES = 64 * 1024;

/** One side of a diff: its size, and its bytes when it is small enough to diff. */
interface Side {
  size: number;
  bytes?: Uint8Array;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The bytes as text, or undefined for binary content (invalid UTF-8 or a NUL byte). */
function textOf(bytes: Uint8Array): string | undefined {
  if (bytes.includes(0)) return undefined;
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/** The unified diff of two sides (before null: a new file), or why it is not shown. */
export function cappedDiff(path: string, before: Side | null, after: Side): string {
  const sides = before ? [before, after] : [after];
  const sizes = `${before ? `${before.size} -> ` : ''}${after.size} bytes`;
  if (sides.some((s) => s.bytes === undefined))
    return `(diff not shown: ${sizes}, larger than the ${DIFF_MAX_BYTES / 1024} KiB diff limit)`;
  const texts = sides.map((s) => textOf(s.bytes!));
  if (texts.some((t) => t === undefined)) return `(diff not shown: ${sizes}, binary)`;
  return unifiedDiff(path, before ? texts[0]! : null, texts.at(-1)!);
}

/** A side read only when small; one that cannot be read is shown by its size only. */
const small = (size: number, bytes: () => Promise<Uint8Array>): Promise<Side> =>
  size > DIFF_MAX_BYTES
    ? Promise.resolve({ size })
    : bytes().then(
        (b) => (b.length === size ? { size, bytes: b } : { size }),
        () => ({ size }),
      );

/** The new content of a write: text as UTF-8, a controller file read only when small. */
function contentSide(content: WriteContent): Promise<Side> {
  if (typeof content === 'string')
    return small(Buffer.byteLength(content, 'utf8'), () => Promise.resolve(Buffer.from(content, 'utf8')));
  return small(content.size, () => readFile(content.file));
}

interface HostRead {
  transport: Transport;
  become?: Become;
  timeoutMs?: number;
}

/**
 * The host's file as it is now, read only when the probe said it is small (at most DIFF_MAX_BYTES+1
 * bytes are asked for, base64 so binary bytes survive). A size other than the probe's (the file
 * changed since, or cannot be read) leaves the bytes out, and the diff is not shown.
 */
async function hostSide(h: HostRead, path: string, size: number): Promise<Side> {
  if (size > DIFF_MAX_BYTES) return { size };
  const probe = readOnly(sh`head -c ${DIFF_MAX_BYTES + 1} -- ${path} | base64 -w 0`);
  const r = await h.transport.exec(h.become ? { ...probe, become: h.become } : probe, {
    ...(h.timeoutMs ? { timeoutMs: h.timeoutMs } : {}),
  });
  const bytes = Buffer.from(r.stdout.trim(), 'base64');
  return r.code === 0 && bytes.length === size ? { size, bytes } : { size };
}

/** The diff of one step, or undefined when it has none (not a write, or a secret one). */
async function diffOf(step: Step, h: HostRead | undefined): Promise<string | undefined> {
  if (step.kind === 'write') {
    if (step.secret || !h) return undefined;
    const before = step.before ? await hostSide(h, step.path, step.before.size) : null;
    return cappedDiff(step.path, before, await contentSide(step.content));
  }
  if (step.kind === 'controller-write') {
    const before = step.before ? await small(step.before.size, () => readFile(step.path)) : null;
    return cappedDiff(step.path, before, await small(step.after.size, async () => Buffer.from(step.base64, 'base64')));
  }
  return undefined;
}

/** The plan as events carry it; with `diff`, each write step's capped diff, read through `host`. */
export async function shownPlan(plan: Plan, diff: boolean, host: HostRead | undefined): Promise<PlanShown> {
  const steps = [];
  for (const step of plan.steps) steps.push(shownStep(step, diff ? await diffOf(step, host) : undefined));
  return { ...plan, steps };
}
