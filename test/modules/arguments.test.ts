// Values that reach a remote command line stay arguments: option-like values, bad addresses and inherited names are refused.
import test from 'ava';
import type { Module, Plan } from '../../src/sdk.js';
import { modules } from '../../modules/index.js';
import type { KatoInfo } from '../../modules/facts/kato.js';
import { rolesFromVars } from '../../modules/stackato/roles.js';
import { portsFor } from '../../modules/stackato/ports.js';

const info = (o: Partial<KatoInfo> = {}): KatoInfo => ({
  ip: '10.0.0.5',
  hostname: 'n5',
  mbusip: '10.0.0.1',
  endpoint: null,
  assigned: ['base'],
  available: ['dea', 'router'],
  ...o,
});

/** The messages zod gives for these params of a module, or [] when they are accepted. */
function refused(name: string, params: Record<string, unknown>): string[] {
  const r = (modules.get(name) as Module).params.safeParse(params);
  return r.success ? [] : r.error.issues.map((i) => i.message);
}

function plan(name: string, facts: unknown, params: Record<string, unknown>): Plan {
  const m = modules.get(name) as Module;
  return m.plan(facts, m.params.parse(params));
}

const OPTION = /must not start with "-"/;

test('an sshfs source that starts with "-" is refused (it would reach sshfs as -oProxyCommand)', (t) => {
  const why = refused('mount_shared', { source: '-oProxyCommand=touch /tmp/p:/x' });
  t.true(
    why.some((m) => OPTION.test(m)),
    why.join('; '),
  );
  t.deepEqual(refused('mount_shared', { source: 'root@10.0.0.1:/srv/shared' }), []);
  t.true(refused('mount_shared', { source: 'root@10.0.0.1:/srv', identity_file: '/k,ssh_command=x' }).length > 0);
});

test('sshfs and the file commands of mount_shared end their options with --', (t) => {
  const p = plan(
    'mount_shared',
    {
      series: '3.x',
      dirs: ['/home/stackato/stackato/data'],
      kinds: { '/home/stackato/stackato/data': { kind: 'dir' } },
      filled: {},
      mounted: null,
      fstab: null,
      info: info({ assigned: ['base'] }),
    },
    { source: 'root@10.0.0.1:/srv/shared' },
  );
  const texts = p.steps.map((s) => (s.kind === 'exec' ? s.cmd.text : ''));
  t.regex(texts[0]!, /sshfs -o \S+ -- root@10\.0\.0\.1:\/srv\/shared \/mnt\/controller$/);
  t.regex(texts[2]!, /mv -T -- \/home\/stackato\/stackato\/data /);
});

test('kato roles and endpoints that look like options are refused in every module that takes them', (t) => {
  for (const [name, params] of [
    ['role_add', { roles: ['--only'] }],
    ['role_add', { all_but: ['-x'] }],
    ['role_remove', { roles: ['--help'] }],
    ['node_attach', { core_ip: '10.0.0.1', roles: ['--force'] }],
    ['core_setup', { endpoint: '--help' }],
    ['core_setup', { endpoint: 'api.c.test', roles: ['-e'] }],
    ['firewall', { cluster_cidr: '10.0.0.0/24', roles: ['--x'] }],
    ['static_ip', { address: '10.0.0.2', gateway: '10.0.0.1', interface: '-x' }],
  ] as const) {
    const why = refused(name, params);
    t.true(why.length > 0, `${name} accepted ${JSON.stringify(params)}`);
  }
  t.deepEqual(refused('role_add', { roles: ['dea', 'data-services', 'load_balancer'] }), []);
});

test('IPv4 params are addresses: 999.999.999.999 and 10.0.0.1/33 are refused', (t) => {
  for (const [name, params] of [
    ['static_ip', { address: '999.999.999.999', gateway: '10.0.0.1' }],
    ['static_ip', { address: '10.0.0.2', gateway: '10.0.0.256' }],
    ['static_ip', { address: '10.0.0.2', gateway: '10.0.0.1', dns_nameservers: ['1.2.3'] }],
    ['lb_setup', { core_ip: '999.999.999.999' }],
    ['lb_setup', { core_ip: '10.0.0.1', routers: ['10.0.0.300'] }],
    ['node_attach', { core_ip: '300.1.1.1' }],
    ['migrate_core_ip', { old_ip: '10.0.0.1', new_ip: '10.0.0.999' }],
    ['node_remove', { nodes: ['constructor'] }],
    ['node_remove', { nodes: '10.0.0.1,-x' }],
    ['verify_nodes', { nodes: ['__proto__'] }],
    ['firewall', { cluster_cidr: '10.0.0.0/33' }],
    ['firewall', { cluster_cidr: '999.0.0.0/8' }],
  ] as const) {
    t.true(refused(name, params).length > 0, `${name} accepted ${JSON.stringify(params)}`);
  }
  t.deepEqual(refused('static_ip', { address: '10.0.0.2', gateway: '10.0.0.1', dns_nameservers: ['8.8.8.8'] }), []);
});

test('node lookups are own-property checks: a name inherited from Object.prototype is no node', (t) => {
  const listed = { '10.0.0.5': ['dea'] };
  const facts = { version: '3.6.2', listed, info: info() };
  // The schemas refuse such names already; the plans are checked past them, as a second line.
  const raw = (name: string, f: unknown, params: unknown) => (modules.get(name) as Module).plan(f, params);
  const p = raw('node_remove', { version: '3.6.2', listed }, { nodes: ['constructor'], skip_detach: false });
  t.deepEqual(p.steps, []);
  const v = raw('verify_nodes', facts, { nodes: ['10.0.0.5', 'constructor', '__proto__'] });
  t.regex(v.fail ?? '', /not listed by the core: constructor, __proto__$/);
  t.deepEqual(rolesFromVars({ group_names: ['constructor', 'toString', '__proto__', 'dea'] }, '3.x'), ['dea']);
  t.deepEqual(
    portsFor(['constructor', 'hasOwnProperty'], '3.x').map((r) => r.port),
    portsFor([], '3.x').map((r) => r.port),
  );
});
