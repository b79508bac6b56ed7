// cluster_members: on the core, the nodes `kato node list` has that the inventory no longer has: reported, removed only with prune.
import { defineModule, isIPv4, z } from '../../src/sdk.js';
import { katoInfo, katoNodeEntries, katoSeries, katoVersion, type KatoNode } from '../facts/kato.js';
import { removalSteps } from './removal.js';

const doc = `Params: nodes (the inventory's cluster nodes, name -> address; cluster.yml passes
\`stackato_node_addresses\`, which stackplay sets from the hosts of \`stackato_nodes\`), prune (default false).
Run it on the core. A node \`kato node list\` shows is the inventory's when its IP is one of the addresses, or,
for hosts the inventory reaches by DNS name, when its name as kato lists it is that host's name or address. Any other
node has left the inventory: without prune it is only reported (the result's \`left_inventory\` and msg name
each one with its roles; nothing changes, the task is ok); with prune it is removed on the core, DEAs
retired first on 3.x (\`kato node retire -n IP\`, then \`kato node remove IP...\`, as node_remove does).
A node kato lists under the name of an inventory host that the inventory reaches at another IP (NAT, a
public ansible_host) is reported but never pruned: with prune the task fails, naming it, and removes nothing.

Example:
  - name: cluster_members example 1
    cluster_members: { nodes: "{{ stackato_node_addresses }}", prune: false }`;

const describe = (ip: string, n: KatoNode): string =>
  `${ip}${n.names.length ? ` (${n.names[0]})` : ''}: ${n.roles.join(', ') || 'no roles'}`;

export const clusterMembers = defineModule({
  name: 'cluster_members',
  summary: 'Report cluster nodes the inventory no longer has; remove them with prune',
  doc,
  params: z.strictObject({
    nodes: z.record(z.string(), z.string()).describe("the inventory's cluster nodes: name -> address"),
    prune: z.boolean().default(false).describe('retire (DEAs) and remove the nodes that left the inventory'),
  }),
  gather: async (h) => ({
    version: await h.fact(katoVersion),
    info: await h.fact(katoInfo),
    listed: await h.fact(katoNodeEntries),
  }),
  plan: ({ version, info, listed }, p) => {
    const series = katoSeries(version);
    if (typeof series !== 'string') return { steps: [], fail: series.refuse };
    const ips = new Set(Object.values(p.nodes).filter((a) => isIPv4(a)));
    // Names count only for hosts reached by name: a host with an IP is matched by it alone.
    const byName = Object.entries(p.nodes).filter(([, a]) => !isIPv4(a));
    const names = new Set(byName.flat());
    const left = Object.entries(listed)
      .filter(([ip, n]) => ip !== info.ip && !ips.has(ip) && !n.names.some((name) => names.has(name)))
      .sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }));
    const data = {
      left_inventory: left.map(([ip, n]) => ({ ip, names: n.names, roles: n.roles })),
    };
    if (left.length === 0)
      return { steps: [], note: `every node kato lists (${Object.keys(listed).length}) is in the inventory`, data };
    const which = left.map(([ip, n]) => describe(ip, n)).join('; ');
    // A node named like an inventory host reached at another IP is more likely that host behind another
    // address (NAT, a public ansible_host) than a node that left: never pruned on a guess.
    const lookalikes = left.flatMap(([ip, n]) => {
      const name = n.names.find((x) => Object.hasOwn(p.nodes, x));
      return name ? [`${ip} is named ${name}, which the inventory reaches at ${p.nodes[name]}`] : [];
    });
    if (p.prune && lookalikes.length)
      return {
        steps: [],
        fail: `not pruning: ${lookalikes.join('; ')}; give ansible_host the address kato lists (or remove the node with playbooks/remove-node.yml)`,
        data,
      };
    if (!p.prune)
      return {
        steps: [],
        note: `in the cluster but not in the inventory, kept: ${which} (run with -e prune=true to retire and remove them)`,
        data,
      };
    const leaving = left.map(([ip, n]) => ({ ip, roles: n.roles, ...(n.names[0] ? { label: n.names[0] } : {}) }));
    return { steps: removalSteps(series, leaving), note: `removing from the cluster: ${which}`, data };
  },
});
