// verify_nodes: on the core, check that kato lists the given nodes (and optionally their mbus IP and running roles).
import { defineModule, z } from '../../src/sdk.js';
import { argument, ipv4 } from '../common/params.js';
import { katoInfo, katoNodes, katoStatusSettled } from '../facts/kato.js';

const doc = `Run on the core. Fails, naming them, when any of \`nodes\` (each node's own address, as the node
reports it) is missing from \`kato node list\`, when the core's mbus IP is not \`mbusip\`, or when a role
in \`running\` (node IP -> roles) is not listed for that node or not running in \`kato status\`.
Roles still starting (they start a while after setup or attach) are given up to \`settle\` seconds
(default 300) before their status counts; a stopped or fatal role fails at once.
Changes nothing: a check between steps of a rollout (stackplay migrate runs it after every batch).
Returns \`failed_nodes\`: node IP -> what is wrong with it.

Example:
  - name: the core lists both DEAs, their dea role running
    verify_nodes:
      nodes: ["10.77.0.16", "10.77.0.17"]
      mbusip: 10.77.0.11
      running: { "10.77.0.16": [dea], "10.77.0.17": [dea] }`;

export const verifyNodes = defineModule({
  name: 'verify_nodes',
  summary: 'Check that the core lists the given nodes and runs their roles (changes nothing)',
  doc,
  params: z.strictObject({
    nodes: z.array(ipv4).describe('node IPs that must be in the cluster'),
    mbusip: ipv4.optional().describe('the mbus IP the core must report'),
    running: z
      .record(ipv4, z.array(argument('a role')))
      .optional()
      .describe('node IP -> roles kato status must show running there'),
    settle: z
      .number()
      .int()
      .nonnegative()
      .default(300)
      .describe('seconds to wait at most while roles show starting, before their status counts'),
  }),
  gather: async (h, p) => ({
    listed: await h.fact(katoNodes),
    info: await h.fact(katoInfo),
    status: p.running && Object.keys(p.running).length ? await h.fact(katoStatusSettled, p.settle) : {},
  }),
  plan: ({ listed, info, status }, p) => {
    // A Map: node names such as __proto__ must stay plain keys.
    const failed = new Map<string, string>();
    const missing = p.nodes.filter((ip) => !Object.hasOwn(listed, ip));
    for (const ip of missing) failed.set(ip, 'not listed by the core');
    const problems = missing.length ? [`not listed by the core: ${missing.join(', ')}`] : [];
    for (const [ip, roles] of Object.entries(p.running ?? {})) {
      if (failed.has(ip)) continue;
      const seen = Object.hasOwn(status, ip) ? status[ip]! : {};
      const wrong = roles
        .filter((r) => !Object.hasOwn(seen, r) || seen[r] !== 'running')
        .map((r) => `${r} ${Object.hasOwn(seen, r) ? seen[r] : 'not listed'}`);
      if (!wrong.length) continue;
      failed.set(ip, `roles not running: ${wrong.join(', ')}`);
      problems.push(`${ip}: roles not running: ${wrong.join(', ')}`);
    }
    const cluster =
      p.mbusip && info.mbusip !== p.mbusip ? `the core's mbus IP is ${info.mbusip}, not ${p.mbusip}` : undefined;
    if (cluster) problems.push(cluster);
    const data = {
      failed_nodes: Object.fromEntries(failed),
      nodes: listed,
      ...(cluster ? { cluster_problem: cluster } : {}),
    };
    return problems.length
      ? { steps: [], fail: problems.join('; '), data }
      : { steps: [], note: `${p.nodes.length} node(s) listed, their roles running`, data };
  },
});
