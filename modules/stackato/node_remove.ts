// node_remove: on the core, remove nodes from the cluster (`kato node remove IP...`).
import { defineModule, exec, kato, z } from '../../src/sdk.js';
import { ipv4 } from '../common/params.js';
import { katoNodes, katoSeries, katoVersion } from '../facts/kato.js';

const doc = `Params: nodes (IPs to remove), skip_detach (3.2+: for nodes already destroyed).
Run it on the core. Idempotent: reads \`kato node list --json\` and removes only listed nodes.
2.x accepts one IP per command, so the plan has one step per node there.

Example:
  - name: node_remove example 1
    node_remove: { nodes: ["10.77.0.17"] }`;

export const nodeRemove = defineModule({
  name: 'node_remove',
  summary: 'Remove nodes from the cluster (run on the core)',
  doc,
  params: z.strictObject({
    nodes: z
      .union([z.string().transform((s) => s.split(/[,\s]+/).filter(Boolean)), z.array(z.string())])
      .pipe(z.array(ipv4).min(1))
      .describe('IP addresses of the nodes to remove (a list, or one string of IPs)'),
    skip_detach: z.boolean().default(false).describe('do not detach (the node is gone)'),
  }),
  gather: async (h) => ({ version: await h.fact(katoVersion), listed: await h.fact(katoNodes) }),
  plan: ({ version, listed }, p) => {
    const series = katoSeries(version);
    if (typeof series !== 'string') return { steps: [], fail: series.refuse };
    const present = p.nodes.filter((ip) => Object.hasOwn(listed, ip));
    if (present.length === 0) return { steps: [], note: `${p.nodes.join(', ')} not in the cluster` };
    const flags = p.skip_detach && series === '3.x' ? ['--skip-detach'] : [];
    if (series === '2.x') return { steps: present.map((ip) => exec(`- node ${ip}`, kato`kato node remove ${ip}`)) };
    return { steps: [exec(`- nodes ${present.join(', ')}`, kato`kato node remove ${[...flags, ...present]}`)] };
  },
});
