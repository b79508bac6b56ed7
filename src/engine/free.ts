// strategy free / host_pinned: each host of a batch walks the play on its own, never waiting for another (ansible-core 2.14).
import pLimit from 'p-limit';
import type { Play } from '../load/playbook-types.js';
import type { HostState } from './types.js';
import type { BatchRun } from './play.js';

/** ansible-core 2.14's warnings for keywords the free strategies ignore: each once per play. */
const IGNORED = {
  any_errors_fatal:
    'Using any_errors_fatal with the free strategy is not supported, as tasks are executed independently on each host: every host goes on',
  max_fail_percentage:
    'Using max_fail_percentage with the free strategy is not supported, as tasks are executed independently on each host: every host goes on',
  run_once:
    'Using run_once with the free strategy is not currently supported. This task will still be executed for every host in the inventory list.',
} as const;

const warned = new WeakMap<Play, Set<keyof typeof IGNORED>>();

/** Says once per play that a keyword has no effect under free, as Ansible does. */
export function warnIgnored(b: BatchRun, what: keyof typeof IGNORED): void {
  const seen = warned.get(b.play) ?? warned.set(b.play, new Set()).get(b.play)!;
  if (seen.has(what)) return;
  seen.add(what);
  b.run.opts.report({ type: 'warning', message: `play "${b.play.name}": ${IGNORED[what]}` });
}

/**
 * Runs `walk` for every host of the batch at once. free: at most forks tasks run at a time, taken in
 * turn by whichever hosts are ready (`b.slots`, used by runTask). host_pinned: at most forks hosts are
 * in the play at a time, each keeping its slot until it is done with the play.
 */
export async function runFree(b: BatchRun, walk: (b: BatchRun, host: HostState) => Promise<void>): Promise<void> {
  const forks = Math.max(1, b.run.opts.forks);
  if (b.play.anyErrorsFatal) warnIgnored(b, 'any_errors_fatal');
  if (b.play.maxFailPercentage !== undefined) warnIgnored(b, 'max_fail_percentage');
  const pinned = b.play.strategy === 'host_pinned' ? pLimit(forks) : undefined;
  const shared: BatchRun = pinned ? b : { ...b, slots: pLimit(forks) };
  await Promise.all(b.batch.map((host) => (pinned ? pinned(() => walk(shared, host)) : walk(shared, host))));
}
