// kato_facts: gather a node's kato version, roles and cluster membership for `when:` conditions.
import { defineModule, z } from '../../src/sdk.js';
import { inCluster, katoInfo, katoSeries, katoVersion } from '../facts/kato.js';

const doc = `No params. Returns (use \`register\`): kato_version, kato_series (2.x or 3.x), roles (assigned),
available_roles, mbusip, endpoint, hostname, in_cluster, is_core. Changes nothing.

Example:
  - name: kato_facts example 1
    kato_facts: {}
    register: kato
  - name: kato_facts example 2
    debug: { msg: "{{ kato.kato_version }}" }
  - name: kato_facts example 3
    role_add: { roles: [dea] }
    when: "'dea' not in kato.roles"`;

export const katoFacts = defineModule({
  name: 'kato_facts',
  summary: 'Gather kato version, roles and cluster membership',
  doc,
  params: z.strictObject({}),
  gather: async (h) => ({ version: await h.fact(katoVersion), info: await h.fact(katoInfo) }),
  plan: ({ version, info }) => {
    const series = katoSeries(version);
    return {
      steps: [],
      data: {
        kato_version: version,
        kato_series: typeof series === 'string' ? series : 'unsupported',
        roles: info.assigned,
        available_roles: info.available,
        mbusip: info.mbusip,
        endpoint: info.endpoint,
        hostname: info.hostname,
        node_ip: info.ip,
        in_cluster: inCluster(info),
        is_core: info.assigned.includes('primary'),
      },
    };
  },
});
