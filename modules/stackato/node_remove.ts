// node_remove: on the core, remove nodes from the cluster (`kato node remove IP...`).
import { defineModule, z } from '../../src/sdk.js';
import { ipv4 } from '../common/params.js';
import { katoNodes, katoSeries, katoVersion } from '../facts/kato.js';
import { removalSteps } from './removal.js';

const doc = `Params: nodes (IPs to remove), skip_detach (3.2+: for nodes already destroyed).
Run it on the core. Idempotent: reads \`kato node list --json\` and removes only listed nodes.
On 3.x a DEA is first retired (\`kato node retire -n IP\`, its apps move to other DEAs), as the
reference says to (reference/kato.md 2.5); with skip_detach it is only removed. 2.x has no retire and
accepts one IP per command, so the plan has one step per node there.

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
    return {
      steps: removalSteps(
        series,
        present.map((ip) => ({ ip, roles: listed[ip]! })),
        p.skip_detach,
      ),
    };
  },
});
