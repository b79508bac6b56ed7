// rename: give a Stackato node its hostname with `kato node rename` (writes /etc/hostname and /etc/hosts).
import { defineModule, exec, kato, z } from '../../src/sdk.js';
import { katoInfo } from '../facts/kato.js';

const doc = `Params: hostname (FQDN), restart (default false: passes --no-restart, as the setup guide does).
Idempotent: plans nothing when /etc/hostname holds the name, or when kato already has it: its API
endpoint is api.<hostname> (reference/kato.md 2.6: the name is the base of the endpoint; on an attached node
the endpoint is the cluster's). So a core or router given its own hostname by hand after setup (own_hostname,
the guide's last step) is not renamed back on a rerun.

Example:
  - name: rename example 1
    rename: { hostname: stackato.example.com }`;

export const rename = defineModule({
  name: 'rename',
  summary: 'Set the node hostname with kato node rename',
  doc,
  params: z.strictObject({
    hostname: z
      .string()
      .regex(/^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/, 'expected a hostname such as stackato.example.com')
      .describe('the new hostname (FQDN)'),
    restart: z
      .boolean()
      .default(false)
      .describe('restart processes after renaming (kato restarts unless --no-restart)'),
  }),
  gather: async (h, p) => {
    const current = ((await h.read('/etc/hostname')) ?? '').trim();
    return { current, endpoint: current === p.hostname ? null : (await h.fact(katoInfo)).endpoint };
  },
  plan: ({ current, endpoint }, p) => {
    if (current === p.hostname) return { steps: [], note: `hostname is already ${p.hostname}` };
    if (endpoint === `api.${p.hostname}`)
      return { steps: [], note: `kato's name is already ${p.hostname} (endpoint ${endpoint}); hostname ${current}` };
    const cmd = p.restart ? kato`kato node rename ${p.hostname}` : kato`kato node rename ${p.hostname} --no-restart`;
    return { steps: [exec(`~ hostname: ${current || '(none)'} -> ${p.hostname}`, cmd)] };
  },
});
