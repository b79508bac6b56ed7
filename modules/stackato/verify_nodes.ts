// verify_nodes: on the core, check that kato lists the given nodes (and optionally their mbus IP).
import { defineModule, z } from '../../src/sdk.js';
import { ipv4 } from '../common/params.js';
import { katoInfo, katoNodes } from '../facts/kato.js';

const doc = `Run on the core. Fails, naming them, when any of \`nodes\` is missing from \`kato node list\`, or
when the core's mbus IP is not \`mbusip\`. Changes nothing: a check between steps of a rollout
(stackplay migrate runs it after every batch).

Example:
  - name: the core lists both DEAs
    verify_nodes: { nodes: ["10.77.0.16", "10.77.0.17"], mbusip: 10.77.0.11 }`;

export const verifyNodes = defineModule({
  name: 'verify_nodes',
  summary: 'Check that the core lists the given nodes (changes nothing)',
  doc,
  params: z.strictObject({
    nodes: z.array(ipv4).describe('node IPs that must be in the cluster'),
    mbusip: ipv4.optional().describe('the mbus IP the core must report'),
  }),
  gather: async (h) => ({ listed: await h.fact(katoNodes), info: await h.fact(katoInfo) }),
  plan: ({ listed, info }, p) => {
    const missing = p.nodes.filter((ip) => !Object.hasOwn(listed, ip));
    const problems = [
      ...(missing.length ? [`not listed by the core: ${missing.join(', ')}`] : []),
      ...(p.mbusip && info.mbusip !== p.mbusip ? [`the core's mbus IP is ${info.mbusip}, not ${p.mbusip}`] : []),
    ];
    return problems.length
      ? { steps: [], fail: problems.join('; ') }
      : { steps: [], note: `${p.nodes.length} node(s) listed`, data: { nodes: listed } };
  },
});
