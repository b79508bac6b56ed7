// lb_setup: make this node the cluster's nginx load balancer over the routers (set it up last).
import { defineModule, exec, kato, sumOf, write, z, type Step } from '../../src/sdk.js';
import { ipv4 } from '../common/params.js';
import { inCluster, katoInfo, katoNodes, katoSeries, katoVersion } from '../facts/kato.js';
import { nginxPool } from '../facts/nginx.js';

const sumOrNull = (text: string | null) => (text === null ? null : sumOf(text));

const doc = `Params: core_ip (attach first if the node is not in the cluster: 3.x with no roles, 2.x with
-e router as the 2.10 procedure does), routers (explicit pool; default: every router in
\`kato node list\` except this node), cert / key (controller paths of a TLS certificate and key to
install at /etc/ssl/certs/stackato.crt and /etc/ssl/private/stackato.key).
Runs \`kato node setup load_balancer\` (3.x: --force or the explicit IPs; 2.x: answers "y" to the
prompt that removes the LB's own IP from the pool). Idempotent and verified: after apply the
engine re-plans, and the plan is empty only when nginx's upstream lists exactly the routers.

Example:
  - name: lb_setup example 1
    lb_setup: { core_ip: 10.77.0.11 }
  - name: lb_setup example 2
    lb_setup: { core_ip: 10.77.0.11, cert: files/stackato.crt, key: files/stackato.key }`;

const CERT = '/etc/ssl/certs/stackato.crt';
const KEY = '/etc/ssl/private/stackato.key';

export const lbSetup = defineModule({
  name: 'lb_setup',
  summary: 'Set up the nginx load balancer over the cluster routers',
  doc,
  localFiles: ['cert', 'key'],
  params: z
    .strictObject({
      core_ip: ipv4.describe('MBUS IP of the core, to attach to first'),
      routers: z.array(ipv4).optional().describe('explicit router pool (default: all routers but this node)'),
      cert: z.string().optional().describe('TLS certificate file on the controller'),
      key: z.string().optional().describe('TLS key file on the controller (kept secret)'),
    })
    .refine((p) => (p.cert === undefined) === (p.key === undefined), 'give both cert and key, or neither'),
  gather: async (h, p) => {
    const info = await h.fact(katoInfo);
    return {
      version: await h.fact(katoVersion),
      info,
      nodes: inCluster(info) ? await h.fact(katoNodes) : {},
      pool: await h.fact(nginxPool),
      cert: p.cert ? { want: await h.readLocal(p.cert), have: await h.read(CERT) } : null,
      key: p.key ? { want: await h.readLocal(p.key), have: await h.read(KEY) } : null,
    };
  },
  plan: ({ version, info, nodes, pool, cert, key }, p) => {
    const series = katoSeries(version);
    if (typeof series !== 'string') return { steps: [], fail: series.refuse };
    const steps: Step[] = [];
    if (cert && cert.want !== cert.have) steps.push(write(CERT, sumOrNull(cert.have), cert.want, { mode: '0644' }));
    if (key && key.want !== key.have)
      steps.push(write(KEY, sumOrNull(key.have), key.want, { mode: '0600', secret: true }));
    const attached = inCluster(info) && info.mbusip === p.core_ip;
    if (!attached) {
      const attach =
        series === '2.x' ? kato`kato node attach -e router ${p.core_ip}` : kato`kato node attach ${p.core_ip}`;
      steps.push(exec(`~ cluster: not attached -> attached to ${p.core_ip}`, attach));
    }
    const others = info.assigned.filter(
      (r) => r !== 'base' && r !== 'load_balancer' && !(series === '2.x' && r === 'router'),
    );
    if (attached && others.length)
      return { steps: [], fail: `a load balancer cannot have other roles; this node has ${others.join(', ')}` };
    const routers = (
      p.routers ??
      Object.entries(nodes)
        .filter(([ip, roles]) => roles.includes('router') && ip !== info.ip)
        .map(([ip]) => ip)
    ).sort();
    const poolOk = attached && routers.length > 0 && routers.join(' ') === pool.join(' ');
    if (!poolOk || steps.some((s) => s.kind === 'write')) {
      const cmd = p.routers
        ? kato`kato node setup load_balancer ${p.routers}`
        : series === '2.x'
          ? kato`kato node setup load_balancer`
          : kato`kato node setup load_balancer --force`;
      const title = `~ nginx pool: ${pool.join(', ') || '(none)'} -> ${attached ? routers.join(', ') || '(no routers found)' : 'every router in the cluster'}`;
      // 2.10 asks whether to drop the LB's own IP from the pool; the guide recommends yes.
      steps.push(series === '2.x' && !p.routers ? exec(title, cmd, { stdin: 'y\n' }) : exec(title, cmd));
    }
    return steps.length ? { steps } : { steps, note: `nginx balances over ${routers.join(', ')}` };
  },
});
