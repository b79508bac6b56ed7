// firewall: per-node iptables rules that open only the ports the node's roles need.
import { defineModule, exec, readOnly, sh, raw, z, type Step, defineFact } from '../../src/sdk.js';
import { ipv4Cidr, katoRole } from '../common/params.js';
import { katoInfo, katoSeries, katoVersion } from '../facts/kato.js';
import { portsFor } from './ports.js';

const doc = `Params: cluster_cidr (source network of the cluster nodes), roles (default: the kato roles
\`kato info\` lists, plus load_balancer for hosts in that inventory group), default_policy
(drop or accept for anything not listed; drop is "defense in depth" from the guide).
Rules live in their own chain STACKPLAY-FW, jumped to from INPUT; loopback, established
connections and ICMP are always allowed. Idempotent: compares \`iptables -S STACKPLAY-FW\` with
the wanted rules in iptables' own normal form.

Example:
  - name: iptables_chain example 1
    firewall: { cluster_cidr: 10.77.0.0/24 }`;

const CHAIN = 'STACKPLAY-FW';

const chainRules = defineFact({
  name: 'iptables_chain',
  command: () => readOnly(sh`iptables -S ${CHAIN} ${raw('2>/dev/null')}; echo '--'; iptables -S INPUT`),
  parse: (out) => {
    const [chain = '', input = ''] = out.stdout.split('--\n');
    return {
      rules: chain.split('\n').filter((l) => l.startsWith('-A ')),
      jumped: input.split('\n').some((l) => l === `-A INPUT -j ${CHAIN}`),
    };
  },
});

/** The rules in `iptables -S` normal form, so the comparison is exact. */
export function wantedRules(
  roles: readonly string[],
  series: '2.x' | '3.x',
  cidr: string,
  policy: 'drop' | 'accept',
): string[] {
  const rules = [
    `-A ${CHAIN} -i lo -j ACCEPT`,
    `-A ${CHAIN} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`,
    `-A ${CHAIN} -p icmp -j ACCEPT`,
  ];
  for (const r of portsFor(roles, series)) {
    rules.push(
      `-A ${CHAIN}${r.from === 'cluster' ? ` -s ${cidr}` : ''} -p ${r.proto} -m ${r.proto} --dport ${r.port} -j ACCEPT`,
    );
  }
  if (policy === 'drop') rules.push(`-A ${CHAIN} -j DROP`);
  return rules;
}

export const firewall = defineModule({
  name: 'firewall',
  summary: "Open only the ports each node's roles need (iptables)",
  doc,
  params: z.strictObject({
    cluster_cidr: ipv4Cidr.describe('network of the cluster nodes'),
    roles: z.array(katoRole).optional().describe('roles to open ports for (default: from kato info)'),
    default_policy: z.enum(['drop', 'accept']).default('drop').describe('what happens to anything not listed'),
  }),
  gather: async (h) => ({
    version: await h.fact(katoVersion),
    info: await h.fact(katoInfo),
    current: await h.fact(chainRules),
    lb: Array.isArray(h.vars.group_names) && h.vars.group_names.includes('load_balancer'),
  }),
  plan: ({ version, info, current, lb }, p) => {
    const series = katoSeries(version);
    if (typeof series !== 'string') return { steps: [], fail: series.refuse };
    const roles = p.roles ?? [...new Set([...info.assigned, ...(lb ? ['load_balancer'] : [])])];
    const want = wantedRules(roles, series, p.cluster_cidr, p.default_policy);
    const steps: Step[] = [];
    if (want.join('\n') !== current.rules.join('\n')) {
      const script = [`*filter`, `:${CHAIN} - [0:0]`, ...want, 'COMMIT', ''].join('\n');
      steps.push(
        exec(
          `~ ${CHAIN}: ${current.rules.length} rules -> ${want.length} rules (${roles.join(', ') || 'base'})`,
          sh`iptables -N ${CHAIN} ${raw('2>/dev/null')}; iptables-restore --noflush`,
          { stdin: script },
        ),
      );
    }
    if (!current.jumped) steps.push(exec(`~ INPUT: jump to ${CHAIN}`, sh`iptables -I INPUT 1 -j ${CHAIN}`));
    return steps.length ? { steps } : { steps, note: `${want.length} rules in place` };
  },
});
