// role_remove: disable kato roles on a node (`kato role remove`); base can never be removed.
import { defineModule, exec, kato, z } from '../../src/sdk.js';
import { katoRole } from '../common/params.js';
import { katoInfo } from '../facts/kato.js';
import { expandRoles } from './roles.js';

const doc = `Params: roles (list). Refuses \`base\`, and \`router\` on the core (kato's rules), before running anything.
Idempotent: only roles currently assigned are removed.

Example:
  - name: role_remove example 1
    role_remove: { roles: [mdns] }`;

export const roleRemove = defineModule({
  name: 'role_remove',
  summary: 'Disable kato roles on the node',
  doc,
  params: z.strictObject({ roles: z.array(katoRole).min(1).describe('roles to disable') }),
  gather: async (h) => ({ info: await h.fact(katoInfo) }),
  plan: ({ info }, p) => {
    if (p.roles.includes('base')) return { steps: [], fail: 'the base role cannot be removed from any node' };
    if (p.roles.includes('router') && info.assigned.includes('primary'))
      return { steps: [], fail: 'the router role must stay on the core node' };
    const present = expandRoles(p.roles).filter((r) => info.assigned.includes(r));
    if (present.length === 0) return { steps: [], note: `${p.roles.join(', ')} not enabled` };
    return { steps: [exec(`~ roles: remove ${present.join(', ')}`, kato`kato role remove ${present}`)] };
  },
});
