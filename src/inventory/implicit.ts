// Ansible's implicit localhost: a play or --limit naming localhost (127.0.0.1, ::1) that no inventory lists gets a local host of that name.
import { selectHosts } from './pattern.js';
import type { Inventory } from './types.js';

/**
 * Adds the implicit hosts the patterns select to the inventory (connection local, in no group, so not
 * in `all` or `groups`), as Ansible creates its implicit localhost on demand. Returns their names.
 */
export function addImplicitHosts(inv: Inventory, patterns: readonly string[]): string[] {
  const added: string[] = [];
  for (const pattern of patterns)
    for (const name of selectHosts(inv, pattern).hosts) {
      if (inv.hosts.has(name)) continue;
      inv.hosts.set(name, { name, vars: { ansible_connection: 'local' }, groups: [], implicit: true });
      added.push(name);
    }
  return added;
}
