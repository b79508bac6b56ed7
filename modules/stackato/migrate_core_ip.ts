// migrate_core_ip: move one node to a new core IP: the core changes its own address, the others follow it.
import { defineModule, exec, raw, reconnect, semver, sh, z, type Step } from '../../src/sdk.js';
import { argument, ipv4 } from '../common/params.js';
import { katoInfo, katoSeries, katoVersion } from '../facts/kato.js';
import { nginxPool } from '../facts/nginx.js';

const doc = `On the core: pins the new address and migrates the cluster config to it, then the engine
reconnects to the core on its new address. 3.2 and later: \`kato op static_ip --restart-network\`
(which runs \`kato node migrate OLD NEW\` itself on 3.x); older: \`kato node migrate OLD NEW\` and
the static_ip prompts, then a network restart. The address change runs detached, because it cuts
the SSH session it was started from.
On the other nodes: 2.x runs \`kato node migrate OLD NEW\` (every node, core first); 3.x
re-attaches to the new core (\`kato node reattach\` from 3.6, \`kato node attach -e ROLES\` before).
A load balancer is then set up again, so nginx drops the core's old address from its pool.
Idempotent: nothing to do when \`kato info\` already reports the new mbus IP (and, on the core,
the new node address). Use it through \`stackplay migrate\`, which orders and batches the nodes.

Example:
  - name: move the core to its new address
    migrate_core_ip: { old_ip: 10.77.0.11, new_ip: 10.77.0.50, netmask: 255.255.255.0, gateway: 10.77.0.1 }`;

export const migrateCoreIp = defineModule({
  name: 'migrate_core_ip',
  summary: 'Move a node to a new core IP (the core first, then every other node)',
  doc,
  params: z.strictObject({
    old_ip: ipv4.describe('the core IP the cluster uses now'),
    new_ip: ipv4.describe('the core IP to move to'),
    netmask: ipv4.default('255.255.255.0').describe('netmask of the new core address'),
    gateway: ipv4.optional().describe('gateway of the new core address (core only)'),
    interface: argument('interface').default('eth0').describe('the core interface that gets the new address'),
    timeout: z.number().int().positive().default(120).describe('seconds to wait for the core on its new address'),
  }),
  gather: async (h) => {
    const info = await h.fact(katoInfo);
    return {
      version: await h.fact(katoVersion),
      info,
      pool: info.assigned.includes('load_balancer') ? await h.fact(nginxPool) : [],
    };
  },
  plan: ({ version, info, pool }, p) => {
    const series = katoSeries(version);
    if (typeof series !== 'string') return { steps: [], fail: series.refuse };
    const isCore = info.assigned.includes('primary');
    if (isCore) {
      if (info.ip === p.new_ip && info.mbusip === p.new_ip) return { steps: [], note: `the core is at ${p.new_ip}` };
      if (!p.gateway) return { steps: [], fail: 'the core needs a gateway for its new address' };
      const flags = sh`--interface=${p.interface} --ip=${p.new_ip} --netmask=${p.netmask} --gateway=${p.gateway} --dns-nameservers= --dns-search-domains= --restart-network`;
      const move = semver.gte(version, '3.2.0')
        ? sh`kato op static_ip ${raw(flags.text)}`
        : sh`kato node migrate ${p.old_ip} ${p.new_ip} && printf '%s\\n' ${p.new_ip} ${p.netmask} ${p.gateway} '' '' | kato op static_ip && /etc/init.d/networking restart`;
      const detached = sh`setsid nohup sh -c ${`sleep 1; ${move.text}`} >/var/log/stackplay-migrate.log 2>&1 </dev/null &`;
      const steps: Step[] = [
        exec(
          `~ core address: ${info.ip} -> ${p.new_ip} (static IP, then kato node migrate ${p.old_ip} ${p.new_ip})`,
          detached,
        ),
        reconnect(p.new_ip, p.timeout),
        // The detached change may still be migrating the config when the new address already answers.
        exec(
          `wait until the core's config uses ${p.new_ip}`,
          sh`i=0; until kato info --json | grep -Eq ${`"mbusip": ?"${p.new_ip}"`}; do i=$((i+1)); [ $i -ge ${p.timeout} ] && exit 1; sleep 1; done`,
        ),
      ];
      return { steps };
    }
    // A load balancer's nginx still lists the core's router at the old address until it is set up again.
    const relist =
      pool.includes(p.old_ip) && p.old_ip !== p.new_ip
        ? [
            exec(
              `~ nginx pool: ${pool.join(', ')} -> without ${p.old_ip}`,
              series === '2.x' ? sh`kato node setup load_balancer` : sh`kato node setup load_balancer --force`,
              series === '2.x' ? { stdin: 'y\n' } : {},
            ),
          ]
        : [];
    if (info.mbusip === p.new_ip)
      return relist.length ? { steps: relist } : { steps: [], note: `attached to the core at ${p.new_ip}` };
    const roles = info.assigned.filter((r) => r !== 'base' && r !== 'load_balancer');
    const follow =
      series === '2.x'
        ? sh`kato node migrate ${p.old_ip} ${p.new_ip}`
        : semver.gte(version, '3.6.0')
          ? sh`kato node reattach ${p.new_ip}`
          : roles.length
            ? sh`kato node attach -e ${roles.join(',')} ${p.new_ip}`
            : sh`kato node attach ${p.new_ip}`;
    return { steps: [exec(`~ core: ${info.mbusip ?? '(none)'} -> ${p.new_ip}`, follow), ...relist] };
  },
});
