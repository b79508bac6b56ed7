// set_fact: set host variables for the rest of the run (runs on the controller).
import { defineModule, z } from '../src/sdk.js';

const doc = `Sets variables on the host for the tasks that follow, as Ansible's set_fact: each key is
a variable, each value is rendered now (types kept). They rank with registered results, above play
and task vars and below extra vars. \`cacheable\` is accepted (stackplay keeps no fact cache).

Example:
  - name: where the cluster lives
    set_fact:
      core_url: "https://{{ stackato_core_ip }}"
      dea_count: "{{ groups.dea | length }}"`;

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const params = z
  .record(z.string(), z.unknown())
  .refine((p) => Object.keys(p).every((k) => NAME.test(k)), {
    message: 'fact names are variable names (letters, digits and _)',
  })
  .refine((p) => Object.keys(p).some((k) => k !== 'cacheable'), { message: 'give at least one fact to set' })
  .describe('Variables to set: name: value. `cacheable: true|false` is accepted and ignored.');

export const setFact = defineModule({
  name: 'set_fact',
  summary: 'Set host variables for the tasks that follow',
  doc,
  params,
  local: true,
  gather: async () => undefined,
  plan(_facts, p) {
    const { cacheable: _cacheable, ...facts } = p;
    return { steps: [], data: { ansible_facts: facts } };
  },
});
