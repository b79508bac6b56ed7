// rename: give a Stackato node its hostname with `kato node rename` (writes /etc/hostname and /etc/hosts).
import { defineModule, exec, kato, z } from '../../src/sdk.js';

const doc = `Params: hostname (FQDN), restart (default false: passes --no-restart, as the setup guide does).
Idempotent: reads /etc/hostname and plans nothing when it already holds the name.

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
  gather: async (h) => ({ current: ((await h.read('/etc/hostname')) ?? '').trim() }),
  plan: ({ current }, p) => {
    if (current === p.hostname) return { steps: [], note: `hostname is already ${p.hostname}` };
    const cmd = p.restart ? kato`kato node rename ${p.hostname}` : kato`kato node rename ${p.hostname} --no-restart`;
    return { steps: [exec(`~ hostname: ${current || '(none)'} -> ${p.hostname}`, cmd)] };
  },
});
