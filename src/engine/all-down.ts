// ansible-playbook's end of a playbook: a batch (a play without serial) in which every host went down ends the run.
import type { HostState } from './types.js';

/** Where every host went down, for the message that ends the run. */
export interface AllDown {
  /** `play "x"` or `batch 2 of play "x"`. */
  where: string;
  hosts: string[];
  /** Later batches or phases of the same play were left out. */
  cut: boolean;
}

/**
 * A batch as it begins, and whether Ansible ends the playbook after it: its play loop breaks when the hosts
 * that failed or became unreachable in the batch number the batch's hosts. So a host already down when the
 * batch began keeps the run going, and an empty batch (no hosts matched) never ends it.
 */
export function watchBatch(hosts: readonly HostState[]): { allWentDown(): boolean } {
  const allUp = hosts.length > 0 && hosts.every((h) => h.state === 'active');
  return { allWentDown: () => allUp && hosts.every((h) => h.state !== 'active') };
}

/** The warning's text once the run ends there (runPlays says it only when something was left out). */
export function allDownMessage(d: AllDown): string {
  return `every host of ${d.where} failed or was unreachable (${d.hosts.join(', ')}), so the rest of the playbook does not run (as in ansible-playbook)`;
}
