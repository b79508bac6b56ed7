// setup: the facts `gather_facts: true` gives a play (hostname, fqdn, default IPv4, distribution, ...), in one probe.
import { defineModule, z } from '../src/sdk.js';
import { systemFacts } from './facts/system.js';

const doc = `No params. Reads the node's system facts in one read-only probe and returns them as
ansible_facts; the engine then sets them as variables of the host (ansible_hostname, ansible_fqdn,
ansible_default_ipv4.address/.interface/.gateway, ansible_distribution, ansible_distribution_version,
ansible_distribution_release, ansible_os_family, ansible_system, ansible_architecture).
A play with \`gather_facts: true\` runs it first. Changes nothing.

Example:
  - name: setup example 1
    setup: {}
  - name: setup example 2
    debug: { msg: "{{ ansible_distribution }} {{ ansible_distribution_version }}" }`;

export const setup = defineModule({
  name: 'setup',
  summary: 'Gather system facts (what gather_facts gives a play)',
  doc,
  params: z.strictObject({}),
  gather: async (h) => h.fact(systemFacts),
  plan: (facts) => ({ steps: [], data: { ansible_facts: facts } }),
});
