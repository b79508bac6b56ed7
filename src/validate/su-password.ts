// Refuses at load a become password for hosts whose plays or tasks become with su: su reads it only from a terminal.
import { taskSelected } from '../engine/tags.js';
import { diag, type Diagnostic, type Span } from '../errors.js';
import { selectHosts } from '../inventory/pattern.js';
import type { Inventory, ResolvedHost } from '../inventory/types.js';
import { flatTasks, type Playbook } from '../load/playbook-types.js';
import { privilegeFor, SU_PASSWORD_HINT, SU_PASSWORD_WHY, suNeedsPassword, type BecomeKeywords } from '../privilege.js';
import { hostList } from './undefined-report.js';

const SHOWN_TASKS = 3;

/**
 * One error per task that sets become_method su, and one per play whose own su keyword the facts or
 * tasks take, for the hosts where su would have to answer a password prompt (a become password, a login
 * that is neither root nor the target user); the host vars' own su with a password is refused where
 * the connection vars are read. Tasks --tags leaves out are not checked; `when` is (it may change per
 * run, su with that password never works). Tasks of an include whose file name is a template are read
 * at run time: they fail there, on those hosts, with the same reason.
 */
export function checkSuPasswords(o: {
  playbook: Playbook;
  inventory: Inventory;
  hosts: ReadonlyMap<string, ResolvedHost>;
  limit?: string;
  tags?: string[];
  skipTags?: string[];
}): Diagnostic[] {
  const allowed = o.limit !== undefined ? new Set(selectHosts(o.inventory, o.limit).hosts) : undefined;
  const out: Diagnostic[] = [];
  const refuse = (what: string, at: Span, hosts: Set<string>) => {
    if (hosts.size === 0) return;
    const names = [...hosts];
    out.push(
      diag(
        'E_BECOME',
        `${what}, and ${hostList(names)} ${names.length === 1 ? 'has' : 'have'} a become password: ${SU_PASSWORD_WHY}`,
        at,
        SU_PASSWORD_HINT,
      ),
    );
  };
  for (const play of o.playbook.plays) {
    const hosts = selectHosts(o.inventory, play.hosts)
      .hosts.filter((h) => !allowed || allowed.has(h))
      .flatMap((h) => {
        const c = o.hosts.get(h)?.connection;
        return c?.become.password ? [{ name: h, become: c.become, login: c.user }] : [];
      });
    if (hosts.length === 0) continue;
    const prompting = (...keywords: BecomeKeywords[]) =>
      hosts.filter((h) => suNeedsPassword(privilegeFor(h.become, ...keywords), h.login)).map((h) => h.name);
    // What takes su from the play's become_method is one error at the play, saying what takes it.
    const fromPlay = new Set<string>();
    const takers: string[] = [];
    if (play.gatherFacts) {
      const bad = prompting(play);
      if (bad.length) takers.push('gathering facts');
      for (const h of bad) fromPlay.add(h);
    }
    const selected = flatTasks(play.tasks).filter((t) => taskSelected(t.tags, o.tags ?? [], o.skipTags ?? []));
    for (const task of [...selected, ...play.handlers]) {
      const bad = prompting(task, play);
      if (bad.length === 0) continue;
      if (task.becomeMethod !== undefined) {
        refuse(`task "${task.name}" becomes with su`, task.at, new Set(bad));
        continue;
      }
      takers.push(`"${task.name}"`);
      for (const h of bad) fromPlay.add(h);
    }
    const shown = takers.slice(0, SHOWN_TASKS).join(', ');
    const more = takers.length > SHOWN_TASKS ? ` and ${takers.length - SHOWN_TASKS} more` : '';
    refuse(`play "${play.name}" sets become_method su for ${shown}${more}`, play.at, fromPlay);
  }
  return out;
}
