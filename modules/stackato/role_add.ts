// role_add: enable kato roles on a node (`kato role add`), or exactly a set of roles with only: true.
import { defineModule, exec, kato, z } from '../../src/sdk.js';
import { katoRole } from '../common/params.js';
import { katoInfo } from '../facts/kato.js';
import { expandRoles, missingRoles } from './roles.js';

const doc = `Params: roles (list), only (enable exactly these and disable the rest; base always stays),
all_but (enable every available role except these, e.g. [mdns] for a single-node cluster).
Idempotent: compares with the roles \`kato info\` lists as assigned.

Example:
  - name: role_add example 1
    role_add: { roles: [stager] }
  - name: role_add example 2
    role_add: { all_but: [mdns] }`;

export const roleAdd = defineModule({
  name: 'role_add',
  summary: 'Enable kato roles on the node',
  doc,
  params: z
    .strictObject({
      roles: z.array(katoRole).default([]).describe('roles to enable'),
      only: z.boolean().default(false).describe('enable exactly these roles, disabling the others'),
      all_but: z.array(katoRole).optional().describe('enable every available role except these'),
    })
    .refine((p) => p.roles.length > 0 || p.all_but !== undefined, 'give roles or all_but'),
  gather: async (h) => ({ info: await h.fact(katoInfo) }),
  plan: ({ info }, p) => {
    if (p.all_but) {
      const wanted = [...info.assigned, ...info.available].filter((r) => !p.all_but!.includes(r));
      const missing = wanted.filter((r) => !info.assigned.includes(r));
      return missing.length
        ? { steps: [exec(`~ roles: add ${missing.join(', ')}`, kato`kato role add --all-but ${p.all_but}`)] }
        : { steps: [], note: `every role but ${p.all_but.join(', ')} is enabled` };
    }
    const missing = missingRoles(p.roles, info.assigned);
    if (p.only) {
      const keep = new Set([...expandRoles(p.roles), 'base']);
      const extra = info.assigned.filter((r) => !keep.has(r));
      if (missing.length === 0 && extra.length === 0)
        return { steps: [], note: `roles are exactly ${p.roles.join(', ')}` };
      return {
        steps: [
          exec(
            `~ roles: ${info.assigned.join(', ')} -> ${['base', ...p.roles].join(', ')}`,
            kato`kato role add --only ${p.roles}`,
          ),
        ],
      };
    }
    if (missing.length === 0) return { steps: [], note: `${p.roles.join(', ')} already enabled` };
    return { steps: [exec(`~ roles: add ${missing.join(', ')}`, kato`kato role add ${missing}`)] };
  },
});
