// Stackato modules' plans from facts (pure): version gating, idempotence notes, kato's rules, commands.
import test from 'ava';
import type { Module, Plan } from '../../src/sdk.js';
import { modules } from '../../modules/index.js';
import type { KatoInfo } from '../../modules/facts/kato.js';
import { wantedRules } from '../../modules/stackato/firewall.js';
import { staticStanza } from '../../modules/stackato/interfaces.js';

const info = (o: Partial<KatoInfo> = {}): KatoInfo => ({
  ip: '10.0.0.5',
  hostname: 'n5',
  mbusip: '127.0.0.1',
  endpoint: null,
  assigned: ['base'],
  available: ['dea', 'router', 'mysql', 'mdns'],
  ...o,
});
const core = info({
  ip: '10.0.0.1',
  mbusip: '10.0.0.1',
  endpoint: 'api.c.test',
  assigned: ['base', 'controller', 'primary', 'router'],
});

function plan(name: string, facts: unknown, params: Record<string, unknown>): Plan {
  const m = modules.get(name) as Module;
  return m.plan(facts, m.params.parse(params));
}
const cmds = (p: Plan) =>
  p.steps.map((s) =>
    s.kind === 'exec'
      ? s.cmd.display
      : s.kind === 'write' || s.kind === 'controller-write'
        ? `write ${s.path}`
        : `reconnect ${s.address}`,
  );

test('core_setup: sets up a micro cloud as the core; plans nothing on the core; refuses 4.x', (t) => {
  t.deepEqual(cmds(plan('core_setup', { version: '3.6.2', info: info() }, { endpoint: 'api.c.test' })), [
    'kato node setup core api.c.test',
    'kato process ready --block 600 all',
  ]);
  t.deepEqual(
    cmds(plan('core_setup', { version: '3.6.2', info: info() }, { endpoint: 'api.c.test', ready_timeout: 30 })).at(-1),
    'kato process ready --block 30 all',
    'the wait is bounded by ready_timeout',
  );
  t.deepEqual(plan('core_setup', { version: '3.6.2', info: core }, { endpoint: 'api.c.test' }).steps, []);
  t.deepEqual(
    cmds(plan('core_setup', { version: '2.10.6', info: core }, { endpoint: 'api.c.test', roles: ['stager'] })),
    ['kato role add stager'],
  );
  t.regex(plan('core_setup', { version: '4.0.0', info: info() }, { endpoint: 'x' }).fail!, /4\.x has no kato/);
});

test('node_attach: roles from inventory groups, stager folded into dea on 3.x, role add when attached', (t) => {
  const vars = { group_names: ['stager', 'data_services'] };
  t.deepEqual(cmds(plan('node_attach', { version: '2.10.6', info: info(), vars }, { core_ip: '10.0.0.1' })), [
    'kato node attach -e stager,data-services 10.0.0.1',
    'kato process ready --block 600 all',
  ]);
  t.deepEqual(cmds(plan('node_attach', { version: '3.6.2', info: info(), vars }, { core_ip: '10.0.0.1' })), [
    'kato node attach -e dea,data-services 10.0.0.1',
    'kato process ready --block 600 all',
  ]);
  const attached = info({ mbusip: '10.0.0.1', assigned: ['base', 'dea'] });
  t.deepEqual(
    cmds(
      plan(
        'node_attach',
        { version: '3.6.2', info: attached, vars: {} },
        { core_ip: '10.0.0.1', roles: ['dea', 'mysql'] },
      ),
    ),
    ['kato role add mysql'],
  );
  t.regex(
    plan('node_attach', { version: '3.6.2', info: attached, vars: {} }, { core_ip: '10.0.0.1', roles: ['dea'] }).note!,
    /attached to 10\.0\.0\.1/,
  );
});

test('role_add and role_remove: only what is missing or present; base and the core router are kept', (t) => {
  t.deepEqual(cmds(plan('role_add', { info: info({ assigned: ['base', 'dea'] }) }, { roles: ['dea', 'mysql'] })), [
    'kato role add mysql',
  ]);
  t.deepEqual(plan('role_add', { info: info({ assigned: ['base', 'dea'] }) }, { roles: ['dea'] }).steps, []);
  t.deepEqual(cmds(plan('role_add', { info: info() }, { all_but: ['mdns'] })), ['kato role add --all-but mdns']);
  t.deepEqual(cmds(plan('role_remove', { info: info({ assigned: ['base', 'dea'] }) }, { roles: ['dea', 'mysql'] })), [
    'kato role remove dea',
  ]);
  t.regex(plan('role_remove', { info: info() }, { roles: ['base'] }).fail!, /base role cannot be removed/);
  t.regex(plan('role_remove', { info: core }, { roles: ['router'] }).fail!, /router role must stay on the core/);
});

test('static_ip: non-interactive flags from 3.2, prompts answered in order before; reconnect on a new address', (t) => {
  const p = { address: '10.0.0.9', gateway: '10.0.0.254', dns_nameservers: ['10.0.0.2', '10.0.0.3'] };
  const v3 = plan('static_ip', { version: '3.6.2', current: null, connectedTo: '10.0.0.5' }, p);
  t.deepEqual(cmds(v3), [
    "kato op static_ip --interface=eth0 --ip=10.0.0.9 --netmask=255.255.255.0 --gateway=10.0.0.254 --dns-nameservers='10.0.0.2 10.0.0.3' --dns-search-domains='' --restart-network",
    'reconnect 10.0.0.9',
  ]);
  const v2 = plan('static_ip', { version: '2.10.6', current: null, connectedTo: '10.0.0.9' }, p);
  t.is(
    v2.steps[0]!.kind === 'exec' ? v2.steps[0]!.stdin : '',
    '10.0.0.9\n255.255.255.0\n10.0.0.254\n10.0.0.2,10.0.0.3\n\n',
  );
  const current = staticStanza(
    'auto eth0\niface eth0 inet static\n  address 10.0.0.9\n  netmask 255.255.255.0\n  gateway 10.0.0.254\n  dns-nameservers 10.0.0.2 10.0.0.3\n',
    'eth0',
  );
  t.deepEqual(plan('static_ip', { version: '3.6.2', current, connectedTo: '10.0.0.9' }, p).steps, []);
});

test('lb_setup: attaches (3.x with no roles, 2.x with router), sets up over the routers, refuses other roles', (t) => {
  const fresh = { version: '3.6.2', info: info({ ip: '10.0.0.8' }), nodes: {}, pool: [], cert: null, key: null };
  t.deepEqual(cmds(plan('lb_setup', fresh, { core_ip: '10.0.0.1' })), [
    'kato node attach 10.0.0.1',
    'kato node setup load_balancer --force',
  ]);
  const v2 = plan('lb_setup', { ...fresh, version: '2.10.6' }, { core_ip: '10.0.0.1' });
  t.deepEqual(cmds(v2), ['kato node attach -e router 10.0.0.1', 'kato node setup load_balancer']);
  t.is(v2.steps[1]!.kind === 'exec' ? v2.steps[1]!.stdin : '', 'y\n');
  const nodes = { '10.0.0.1': ['router', 'primary'], '10.0.0.2': ['router'], '10.0.0.8': ['load_balancer'] };
  const done = {
    ...fresh,
    info: info({ ip: '10.0.0.8', mbusip: '10.0.0.1', assigned: ['base', 'load_balancer'] }),
    nodes,
    pool: ['10.0.0.1', '10.0.0.2'],
  };
  t.deepEqual(plan('lb_setup', done, { core_ip: '10.0.0.1' }).steps, []);
  t.deepEqual(cmds(plan('lb_setup', { ...done, pool: ['10.0.0.1'] }, { core_ip: '10.0.0.1' })), [
    'kato node setup load_balancer --force',
  ]);
  t.regex(
    plan(
      'lb_setup',
      { ...done, info: info({ ip: '10.0.0.8', mbusip: '10.0.0.1', assigned: ['base', 'dea'] }) },
      { core_ip: '10.0.0.1' },
    ).fail!,
    /cannot have other roles; this node has dea/,
  );
});

test('node_remove: only listed nodes; one command per node on 2.x', (t) => {
  const listed = { '10.0.0.6': ['dea'], '10.0.0.7': ['dea'] };
  t.deepEqual(cmds(plan('node_remove', { version: '3.6.2', listed }, { nodes: '10.0.0.6 10.0.0.9' })), [
    'kato node remove 10.0.0.6',
  ]);
  t.deepEqual(cmds(plan('node_remove', { version: '2.10.6', listed }, { nodes: ['10.0.0.6', '10.0.0.7'] })), [
    'kato node remove 10.0.0.6',
    'kato node remove 10.0.0.7',
  ]);
  t.deepEqual(plan('node_remove', { version: '3.6.2', listed }, { nodes: ['10.0.0.9'] }).steps, []);
});

test('mount_shared: stop, mount, move aside keeping the old data, link, start; nothing when linked', (t) => {
  const facts = {
    series: '2.x',
    dirs: ['/var/vcap/shared'],
    kinds: { '/var/vcap/shared': { kind: 'dir' } },
    mounted: false,
    info: core,
  };
  const p = plan('mount_shared', facts, { source: 'root@10.0.0.1:/srv/share' });
  t.deepEqual(
    p.steps.map((s) => s.title),
    [
      'stop the controller',
      '~ /mnt/controller: not mounted -> root@10.0.0.1:/srv/share',
      '~ /var/vcap/shared: dir -> link to /mnt/controller (old contents kept in /var/vcap/shared.old)',
      'start the controller',
    ],
  );
  t.regex(
    cmds(p)[2]!,
    /mv -- \/var\/vcap\/shared \/var\/vcap\/shared\.old && cp -a -- \/var\/vcap\/shared\.old\/\. \/mnt\/controller\//,
  );
  t.deepEqual(
    plan(
      'mount_shared',
      { ...facts, mounted: true, kinds: { '/var/vcap/shared': { kind: 'link', target: '/mnt/controller' } } },
      { source: 'root@10.0.0.1:/srv/share' },
    ).steps,
    [],
  );
});

test('migrate_core_ip: the core moves detached then reconnects; 2.x nodes migrate, 3.6 nodes reattach', (t) => {
  const p = { old_ip: '10.0.0.1', new_ip: '10.0.0.50', gateway: '10.0.0.254' };
  const c = plan('migrate_core_ip', { version: '3.6.2', info: core, pool: [] }, p);
  t.deepEqual(
    c.steps.map((s) => s.kind),
    ['exec', 'reconnect', 'exec'],
  );
  t.regex(cmds(c)[0]!, /^setsid nohup sh -c 'sleep 1; kato op static_ip .*--ip=10\.0\.0\.50.*--restart-network'/);
  const node = info({ mbusip: '10.0.0.1', assigned: ['base', 'dea'] });
  t.deepEqual(cmds(plan('migrate_core_ip', { version: '2.10.6', info: node, pool: [] }, p)), [
    'kato node migrate 10.0.0.1 10.0.0.50',
  ]);
  t.deepEqual(cmds(plan('migrate_core_ip', { version: '3.6.2', info: node, pool: [] }, p)), [
    'kato node reattach 10.0.0.50',
  ]);
  t.deepEqual(cmds(plan('migrate_core_ip', { version: '3.4.2', info: node, pool: [] }, p)), [
    'kato node attach -e dea 10.0.0.50',
  ]);
  t.deepEqual(
    plan('migrate_core_ip', { version: '3.6.2', info: { ...node, mbusip: '10.0.0.50' }, pool: [] }, p).steps,
    [],
  );
});

test('firewall: rules per role in iptables normal form; web ports open to the world only where needed', (t) => {
  const dea = wantedRules(['base', 'dea'], '3.x', '10.0.0.0/24', 'drop');
  t.true(dea.includes('-A STACKPLAY-FW -s 10.0.0.0/24 -p tcp -m tcp --dport 9022 -j ACCEPT'));
  t.false(dea.some((r) => r.includes('--dport 443')));
  t.is(dea.at(-1), '-A STACKPLAY-FW -j DROP');
  const router = wantedRules(['base', 'router'], '3.x', '10.0.0.0/24', 'accept');
  t.true(router.includes('-A STACKPLAY-FW -p tcp -m tcp --dport 443 -j ACCEPT'));
  t.false(router.includes('-A STACKPLAY-FW -j DROP'));
  t.true(wantedRules(['controller'], '2.x', '10.0.0.0/24', 'drop').some((r) => r.includes('--dport 8046')));
});
