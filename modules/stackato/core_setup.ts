// core_setup: make this node the cluster's core with `kato node setup core ENDPOINT`.
import { defineModule, exec, kato, z } from '../../src/sdk.js';
import { argument, katoRole } from '../common/params.js';
import { katoInfo, katoReady, katoSeries, katoVersion } from '../facts/kato.js';
import { readyTimeout, waitReady } from './ready.js';
import { missingRoles } from './roles.js';

const doc = `Params: endpoint (the API endpoint, conventionally api.<cluster FQDN>), roles (extra kato roles to
enable on the core afterwards, e.g. [stager] on 2.x or [dea]).
ready_timeout (seconds, default 600): after setup, wait with \`kato process ready --block\` until
every process of the core is up (setup takes minutes on a real VM; attaching before that races it).
The same wait is planned on a core that is set up but not ready (\`kato process ready all\` is not
READY: roles STARTING or FATAL). When the wait runs out the task fails with kato's answer and
\`kato status\`: with \`any_errors_fatal\` on the core's play (cluster.yml) nothing attaches to it.
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
  gather: async (h) => {
    const info = await h.fact(katoInfo);
    // Readiness only means something on a node that is already a core (a micro cloud is set up anew).
    const ready = info.mbusip === info.ip ? await h.fact(katoReady) : null;
    return { version: await h.fact(katoVersion), info, ready };
  },
  plan: ({ version, info, ready }, p) => {
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
    else if (ready && !ready.ready)
      steps.push({
        ...waitReady(p.ready_timeout),
        title: `~ core: not ready (${ready.said}) -> wait until every process is up (at most ${p.ready_timeout}s)`,
      });
    const extra = missingRoles(p.roles, isCore ? info.assigned : CORE_ROLES);
    if (extra.length) steps.push(exec(`~ roles: add ${extra.join(', ')}`, kato`kato role add ${extra}`));
    return steps.length ? { steps } : { steps, note: `already the core for ${p.endpoint}` };
  },
});
