// Refuses at load a become password for hosts whose plays or tasks become with su: su reads it only from a terminal.
import { diag, type Diagnostic, type Span } from '../errors.js';
import { selectHosts } from '../inventory/pattern.js';
import type { Inventory, ResolvedHost } from '../inventory/types.js';
import { flatTasks, type Playbook } from '../load/playbook-types.js';
import { becomeMethodFor, SU_PASSWORD_HINT, type BecomeKeywords } from '../privilege.js';
import { hostList } from './undefined-report.js';

/**
 * One error per play or task that would become with su on hosts holding a become password (the host vars'
 * own su with a password is refused where the connection vars are read). Tasks of an include whose file
 * name is a template are read at run time: privilegeFor refuses them there.
 */
export function checkSuPasswords(o: {
  playbook: Playbook;
  inventory: Inventory;
  hosts: ReadonlyMap<string, ResolvedHost>;
  limit?: string;
}): Diagnostic[] {
  const allowed = o.limit !== undefined ? new Set(selectHosts(o.inventory, o.limit).hosts) : undefined;
  const out: Diagnostic[] = [];
  for (const play of o.playbook.plays) {
    const hosts = selectHosts(o.inventory, play.hosts)
      .hosts.filter((h) => !allowed || allowed.has(h))
      .flatMap((h) => {
        const b = o.hosts.get(h)?.connection?.become;
        return b?.password ? [{ name: h, become: b }] : [];
      });
    if (hosts.length === 0) continue;
    const suOn = (...keywords: BecomeKeywords[]) =>
      hosts.filter((h) => becomeMethodFor(h.become, ...keywords) === 'su').map((h) => h.name);
    const refuse = (what: string, at: Span, bad: Set<string>) => {
      if (bad.size === 0) return;
      const names = [...bad];
      out.push(
        diag(
          'E_BECOME',
          `${what} becomes with su, and ${hostList(names)} ${names.length === 1 ? 'has' : 'have'} a become password: su reads a password only from a terminal, which stackplay does not open`,
          at,
          SU_PASSWORD_HINT,
        ),
      );
    };
    // What takes su from the play's keywords (gathering facts, tasks that set no method) is one error, at the play.
    const fromPlay = new Set(play.gatherFacts ? suOn(play) : []);
    for (const task of [...flatTasks(play.tasks), ...play.handlers]) {
      const bad = suOn(task, play);
      if (task.becomeMethod === undefined) for (const h of bad) fromPlay.add(h);
      else refuse(`task "${task.name}"`, task.at, new Set(bad));
    }
    refuse(`play "${play.name}"`, play.at, fromPlay);
  }
  return out;
}
