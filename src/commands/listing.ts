// --list-hosts, --list-tasks and --syntax-check: what a run would touch, without connecting.
import type { Loaded } from '../run.js';
import { playHosts } from '../engine/run-plays.js';
import { resolveHost } from '../inventory/resolve.js';
import { taskSelected } from '../engine/tags.js';
import type { HostState } from '../engine/types.js';
import { flatTasks } from '../load/playbook-types.js';

function states(l: Loaded): Map<string, HostState> {
  const m = new Map<string, HostState>();
  for (const name of l.inventory.hosts.keys())
    m.set(name, {
      name,
      resolved: resolveHost(l.inventory, name),
      registered: {},
      notified: new Set(),
      state: 'active',
    });
  return m;
}

export function listHosts(l: Loaded, limit?: string): string {
  const st = states(l);
  return l.playbook.plays
    .map((play) => {
      const { phases } = playHosts(l.inventory, play, limit, st);
      const count = phases.reduce((n, p) => n + p.hosts.length, 0);
      const body = phases
        .map((p) => (p.phase ? `    # phase ${p.phase}\n` : '') + p.hosts.map((h) => `    ${h.name}`).join('\n'))
        .join('\n');
      return `play #${l.playbook.plays.indexOf(play) + 1} (${play.hosts}): ${play.name}\n  pattern: ${play.hosts}\n  hosts (${count}):\n${body}`;
    })
    .join('\n\n');
}

export function listTasks(l: Loaded, tags: string[], skipTags: string[]): string {
  return l.playbook.plays
    .map((play, i) => {
      const tasks = flatTasks(play.tasks)
        .filter((t) => taskSelected(t.tags, tags, skipTags))
        .map((t) => `    ${t.name}${t.tags.length ? `\tTAGS: [${t.tags.join(', ')}]` : ''}`);
      return `play #${i + 1} (${play.hosts}): ${play.name}\n  tasks:\n${tasks.join('\n') || '    (none)'}`;
    })
    .join('\n\n');
}

export const syntaxOk = (file: string): string => `playbook: ${file}\nsyntax OK`;
