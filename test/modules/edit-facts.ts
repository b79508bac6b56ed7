// Explicit facts for the in-place editors (lineinfile, blockinfile), and applying a plan's write to them.
import { sumOf, type Plan } from '../../src/sdk.js';
import type { EditFacts } from '../../modules/common/edit.js';

/** A regular file holding `content` (null: nothing at the path). */
export function fileFacts(
  content: string | null,
  o: { mode?: string; owner?: string; group?: string; parentExists?: boolean } = {},
): EditFacts {
  if (content === null)
    return { stat: { exists: false }, current: null, leftovers: [], parentExists: o.parentExists ?? true };
  return {
    stat: {
      exists: true,
      type: 'file',
      mode: o.mode ?? '0644',
      owner: o.owner ?? 'root',
      group: o.group ?? 'root',
      size: Buffer.byteLength(content),
      sha256: sumOf(content).sha256,
    },
    current: content,
    leftovers: [],
    parentExists: true,
  };
}

/** The facts after the plan's write step (mode / owner as the plan's chmod / chown would set them). */
export function afterPlan(f: EditFacts, plan: Plan): EditFacts {
  let next = f;
  for (const step of plan.steps) {
    if (step.kind === 'write') {
      const mode = step.mode ?? (next.stat.exists ? next.stat.mode : '0644');
      next = fileFacts(step.content as string, { mode });
    }
    const stat = next.stat;
    if (step.kind !== 'exec' || !stat.exists) continue;
    const m = /^(chmod|chown|chgrp) (\S+) -- /.exec(step.cmd.text);
    const [owner, group] = (m?.[2] ?? '').split(':');
    if (m?.[1] === 'chmod') next = { ...next, stat: { ...stat, mode: m[2]! } };
    if (m?.[1] === 'chown') next = { ...next, stat: { ...stat, owner: owner!, group: group ?? stat.group } };
    if (m?.[1] === 'chgrp') next = { ...next, stat: { ...stat, group: m[2]! } };
  }
  return next;
}
