// node_attach: join this node to the core with `kato node attach -e ROLES CORE_IP`.
import { defineModule, exec, kato, z, type Plan } from '../../src/sdk.js';
import { ipv4, katoRole } from '../common/params.js';
import { inCluster, katoInfo, katoSeries, katoVersion, type KatoInfo } from '../facts/kato.js';
import { readyTimeout, waitReady } from './ready.js';
import { CORE_KEPT_ROLES, extraRoles, missingRoles, rolesFromVars } from './roles.js';

const doc = `Params: core_ip (the core's MBUS IP), roles (kato roles to enable; default: from the host's inventory
role groups and \`stackato_roles\`), force (3.x: attach despite a version mismatch), ready_timeout (seconds, default 600: after
attaching, wait with \`kato process ready --block\` until the node's processes are up).
On 3.x the stager role is folded into dea. A load balancer attaches with no roles (3.x) or
\`-e router\` (2.x), which lb_setup handles. Idempotent: reads \`kato info\`; when already attached to
this core it converges the roles both ways: \`kato role remove\` for roles the node has that the inventory
(or \`roles\`) no longer gives it (base always stays; exact: false only adds), then \`kato role add\` for
missing ones. On the core (a host of the core group) it never attaches: it converges the core's extra
roles (its \`stackato_roles\`) the same way, primary, controller and router always staying; before the core
is set up (a check run ahead of core_setup) it plans the roles it will add after setup.

Example:
  - name: node_attach example 1
    node_attach: { core_ip: 10.77.0.11 }
  - name: node_attach example 2
    node_attach: { core_ip: 10.77.0.11, roles: [dea, filesystem] }`;

export const nodeAttach = defineModule({
  name: 'node_attach',
  summary: 'Attach the node to the core and enable its roles',
  doc,
  params: z.strictObject({
    core_ip: ipv4.describe('MBUS IP of the core node'),
    roles: z.array(katoRole).optional().describe('roles to enable; default: from inventory groups'),
    force: z.boolean().default(false).describe('3.x: attach even if versions differ'),
    exact: z
      .boolean()
      .default(true)
      .describe('remove roles the node has beyond these (the inventory is the truth); false only adds'),
    ready_timeout: readyTimeout,
  }),
  gather: async (h) => ({ version: await h.fact(katoVersion), info: await h.fact(katoInfo), vars: h.vars }),
  plan: ({ version, info, vars }, p) => {
    const series = katoSeries(version);
    if (typeof series !== 'string') return { steps: [], fail: series.refuse };
    const roles = p.roles ?? rolesFromVars(vars, series);
    const groups = Array.isArray(vars.group_names) ? vars.group_names : [];
    if (groups.includes('core')) return coreRoles(info, roles, p.exact);
    const attached = inCluster(info) && info.mbusip === p.core_ip;
    if (!attached) {
      const args = [
        ...(roles.length ? ['-e', roles.join(',')] : []),
        ...(p.force && series === '3.x' ? ['-f'] : []),
        p.core_ip,
      ];
      const from = inCluster(info) ? `attached to ${info.mbusip}` : 'not attached';
      return {
        steps: [
          exec(
            `~ cluster: ${from} -> attached to ${p.core_ip}${roles.length ? ` with ${roles.join(', ')}` : ''}`,
            kato`kato node attach ${args}`,
          ),
          waitReady(p.ready_timeout),
        ],
      };
    }
    return converge(info.assigned, roles, p.exact, `attached to ${p.core_ip}`);
  },
});

/** `kato role remove` for what the node has beyond `roles` (when exact), `kato role add` for what it lacks. */
function converge(assigned: readonly string[], roles: readonly string[], exact: boolean, where: string): Plan {
  const missing = missingRoles(roles, assigned);
  const extra = exact ? extraRoles(roles, assigned) : [];
  if (missing.length === 0 && extra.length === 0)
    return { steps: [], note: `${where} with ${roles.join(', ') || 'no extra roles'}` };
  return {
    steps: [
      ...(extra.length ? [exec(`- roles: remove ${extra.join(', ')}`, kato`kato role remove ${extra}`)] : []),
      ...(missing.length ? [exec(`~ roles: add ${missing.join(', ')}`, kato`kato role add ${missing}`)] : []),
    ],
  };
}

/** The core's extra roles; before `node setup core` ran, against what setup leaves (base and the core roles). */
function coreRoles(info: KatoInfo, roles: readonly string[], exact: boolean): Plan {
  const setUp = inCluster(info) && info.mbusip === info.ip && info.assigned.includes('primary');
  return converge(setUp ? info.assigned : ['base', ...CORE_KEPT_ROLES], roles, exact, 'the core');
}
