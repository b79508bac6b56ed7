// own_hostname: the node's own, unique hostname, set by hand after setup as the guide's last step does (kato keeps its name).
import { defineFact, defineModule, exec, readOnly, sh, sumOf, write, z } from '../../src/sdk.js';
import { katoInfo } from '../facts/kato.js';

const doc = `Params: name (the node's own hostname; cluster.yml gives the \`hostname\` var, else the inventory name).
The setup guide renames the core and every router to the cluster's name with \`kato node rename\` (kato's
internal settings and the API endpoint are built on it), then says "all hosts on a network should ultimately
have unique hostnames. After setup, rename the Core node manually by editing /etc/hostname and restarting",
and the same for each router. This does that by hand, not with kato: /etc/hostname, the node's own line in
/etc/hosts (the new name first; the cluster's name stays there), and the running name (\`hostname NAME\`).
Idempotent: nothing to do when all three hold the name. Leave the load balancer out: it keeps the cluster name.

Example:
  - name: own_hostname example 1
    own_hostname: { name: dea1.example.com }`;

export const runningHostname = defineFact({
  name: 'running_hostname',
  command: () => readOnly(sh`hostname`),
  parse: (out) => out.stdout.trim(),
});

/** /etc/hosts with `name` first on the node's own line (and 127.0.1.1's), the old name dropped unless it is the cluster's. */
export function hostsWithName(hosts: string, ip: string, name: string, old: string, cluster: string | null): string {
  let own = false;
  const lines = hosts.split('\n').map((line) => {
    const [first, ...names] = line.trim().split(/\s+/);
    if (first !== ip && first !== '127.0.1.1') return line;
    if (first === ip) own = true;
    const rest = names.filter((n) => n !== name && (n !== old || n === cluster));
    return `${first}\t${[name, ...rest].join(' ')}`;
  });
  if (!own) {
    if (lines.at(-1) === '') lines.pop();
    lines.push(`${ip}\t${name}`, '');
  }
  return lines.join('\n');
}

export const ownHostname = defineModule({
  name: 'own_hostname',
  summary: "Give the node its own hostname by hand after setup (kato's name stays)",
  doc,
  params: z.strictObject({
    name: z
      .string()
      .regex(/^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/, 'expected a hostname such as dea1.example.com')
      .describe("the node's own hostname"),
  }),
  gather: async (h) => ({
    file: await h.read('/etc/hostname'),
    hosts: (await h.read('/etc/hosts')) ?? '',
    running: await h.fact(runningHostname),
    info: await h.fact(katoInfo),
  }),
  plan: ({ file, hosts, running, info }, p) => {
    const old = (file ?? '').trim();
    const cluster = info.endpoint ? info.endpoint.replace(/^api\./, '') : null;
    const nextHosts = info.ip ? hostsWithName(hosts, info.ip, p.name, old, cluster) : hosts;
    const steps = [
      ...(old !== p.name
        ? [write('/etc/hostname', file === null ? null : sumOf(file), `${p.name}\n`, { mode: '0644' })]
        : []),
      ...(nextHosts !== hosts ? [write('/etc/hosts', sumOf(hosts), nextHosts, { mode: '0644' })] : []),
      ...(running !== p.name ? [exec(`~ hostname: ${running} -> ${p.name}`, sh`hostname ${p.name}`)] : []),
    ];
    return steps.length ? { steps } : { steps: [], note: `hostname is ${p.name}` };
  },
});
