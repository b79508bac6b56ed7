// The ports each Stackato role listens on, from the setup guide's and kato.md's port tables.

export interface PortRule {
  port: string;
  proto: 'tcp' | 'udp';
  from: 'cluster' | 'world';
  why: string;
}

const tcp = (port: string, from: PortRule['from'], why: string): PortRule => ({ port, proto: 'tcp', from, why });

/** Every node, whatever its roles. */
const ALL: PortRule[] = [
  tcp('22', 'world', 'ssh'),
  tcp('6464', 'cluster', 'applog (redis)'),
  tcp('7000:7999', 'cluster', 'kato log tail'),
  tcp('7474', 'cluster', 'config (redis)'),
  tcp('9001', 'cluster', 'supervisord'),
  tcp('9026', 'cluster', 'stackato-rest'),
];

/** Inbound ports by kato role (3.x table; 2.x adds doozerd on the controller). */
const BY_ROLE: Record<string, PortRule[]> = {
  primary: [tcp('4222', 'cluster', 'NATS'), tcp('5454', 'cluster', 'redis')],
  controller: [
    tcp('4222', 'cluster', 'NATS'),
    tcp('5454', 'cluster', 'redis'),
    tcp('8181', 'cluster', 'upload server'),
    tcp('9022', 'cluster', 'droplets'),
    tcp('80', 'world', 'http'),
    tcp('443', 'world', 'https'),
  ],
  router: [tcp('80', 'world', 'http'), tcp('443', 'world', 'https'), tcp('9025', 'cluster', 'stackato-rest')],
  load_balancer: [tcp('80', 'world', 'http'), tcp('443', 'world', 'https')],
  dea: [tcp('9022', 'cluster', 'droplets'), tcp('1:65535', 'cluster', 'stackato ssh from the controller')],
  mysql: [tcp('3306', 'cluster', 'MySQL'), tcp('41000:61000', 'cluster', 'service gateways')],
  postgresql: [tcp('5432', 'cluster', 'PostgreSQL'), tcp('41000:61000', 'cluster', 'service gateways')],
  redis: [tcp('5000:15000', 'cluster', 'redis instances'), tcp('41000:61000', 'cluster', 'service gateways')],
  mongodb: [tcp('15001:25000', 'cluster', 'mongodb instances'), tcp('41000:61000', 'cluster', 'service gateways')],
  rabbit: [tcp('35001:40000', 'cluster', 'rabbit instances'), tcp('41000:61000', 'cluster', 'service gateways')],
  memcached: [tcp('45001:50000', 'cluster', 'memcached instances'), tcp('41000:61000', 'cluster', 'service gateways')],
  filesystem: [tcp('41000:61000', 'cluster', 'service gateways')],
  harbor: [
    tcp('35000:40000', 'world', 'harbor port range'),
    { port: '35000:40000', proto: 'udp', from: 'world', why: 'harbor port range' },
  ],
};

export function portsFor(roles: readonly string[], series: '2.x' | '3.x'): PortRule[] {
  const rules = [...ALL, ...roles.flatMap((r) => (Object.hasOwn(BY_ROLE, r) ? BY_ROLE[r]! : []))];
  if (series === '2.x' && roles.includes('controller')) rules.push(tcp('8046', 'cluster', 'doozerd'));
  const seen = new Set<string>();
  return rules.filter((r) => {
    const k = `${r.proto}/${r.port}/${r.from}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
