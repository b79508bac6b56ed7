// core_setup: make this node the cluster's core with `kato node setup core ENDPOINT`.
import { defineModule, exec, kato, z } from '../../src/sdk.js';
import { argument, katoRole } from '../common/params.js';
import { katoInfo, katoSeries, katoVersion } from '../facts/kato.js';
import { readyTimeout, waitReady } from './ready.js';
import { missingRoles } from './roles.js';

const doc = `Params: endpoint (the API endpoint, conventionally api.<cluster FQDN>), roles (extra kato roles to
enable on the core afterwards, e.g. [stager] on 2.x or [dea]).
ready_timeout (seconds, default 600): after setup, wait with \`kato process ready --block\` until
every process of the core is up (setup takes minutes on a real VM; attaching before that races it).
The core gets controller, primary, router and base. Idempotent: reads \`kato info\` and plans nothing
when this node already is the core with that endpoint and roles.

Example:
  - name: core_setup example 1
    core_setup: { endpoint: api.stackato.example.com }`;

const CORE_ROLES = ['primary', 'controller', 'router', 'base'];

export const coreSetup = defineModule({
  name: 'core_setup',
  summary: 'Set up the core node (controller, primary, router) with kato node setup core',
  doc,
  params: z.strictObject({
    endpoint: argument('endpoint').describe('API endpoint, e.g. api.stackato.example.com'),
    roles: z.array(katoRole).default([]).describe('extra roles for the core (kato role add)'),
    ready_timeout: readyTimeout,
  }),
  gather: async (h) => ({ version: await h.fact(katoVersion), info: await h.fact(katoInfo) }),
  plan: ({ version, info }, p) => {
    const series = katoSeries(version);
    if (typeof series !== 'string') return { steps: [], fail: series.refuse };
    const isCore =
      CORE_ROLES.every((r) => info.assigned.includes(r)) && info.endpoint === p.endpoint && info.mbusip === info.ip;
    const steps = [];
    if (!isCore)
      steps.push(
        exec(`~ core: ${info.endpoint ?? '(not set up)'} -> ${p.endpoint}`, kato`kato node setup core ${p.endpoint}`),
        waitReady(p.ready_timeout),
      );
    const extra = missingRoles(p.roles, isCore ? info.assigned : CORE_ROLES);
    if (extra.length) steps.push(exec(`~ roles: add ${extra.join(', ')}`, kato`kato role add ${extra}`));
    return steps.length ? { steps } : { steps, note: `already the core for ${p.endpoint}` };
  },
});
