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
/** core_setup's and node_attach's bounded wait, `kato status` shown when it runs out. */
const wait = (s: number) =>
  `kato process ready --block ${s} all | grep -qx READY || { echo "not ready after ${s}s; kato status:" >&2; kato status >&2; exit 1; }`;
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
    wait(600),
  ]);
  t.deepEqual(
    cmds(plan('core_setup', { version: '3.6.2', info: info() }, { endpoint: 'api.c.test', ready_timeout: 30 })).at(-1),
    wait(30),
    'the wait is bounded by ready_timeout',
  );
  t.deepEqual(plan('core_setup', { version: '3.6.2', info: core }, { endpoint: 'api.c.test' }).steps, []);
  const fatal = { ready: false, said: 'not ready: cloud_controller_ng' };
  const gate = plan(
    'core_setup',
    { version: '3.6.2', info: core, ready: fatal },
    { endpoint: 'api.c.test', ready_timeout: 30 },
  );
  t.deepEqual(cmds(gate), [wait(30)], 'a core that is set up but not ready is waited for (bounded) again');
  t.regex(gate.steps[0]!.title, /^~ core: not ready \(not ready: cloud_controller_ng\) -> wait/);
  t.deepEqual(
    plan(
      'core_setup',
      { version: '3.6.2', info: core, ready: { ready: true, said: 'READY' } },
      { endpoint: 'api.c.test' },
    ).steps,
    [],
  );
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
    wait(600),
  ]);
  t.deepEqual(cmds(plan('node_attach', { version: '3.6.2', info: info(), vars }, { core_ip: '10.0.0.1' })), [
    'kato node attach -e dea,data-services 10.0.0.1',
    wait(600),
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

test('node_remove: only listed nodes; a DEA retired first on 3.x; one command per node on 2.x', (t) => {
  const listed = { '10.0.0.6': ['base', 'dea'], '10.0.0.7': ['base', 'dea'], '10.0.0.8': ['base', 'mysql'] };
  t.deepEqual(cmds(plan('node_remove', { version: '3.6.2', listed }, { nodes: '10.0.0.6 10.0.0.8 10.0.0.9' })), [
    'kato node retire -n 10.0.0.6',
    'kato node remove 10.0.0.6 10.0.0.8',
  ]);
  t.deepEqual(
    cmds(plan('node_remove', { version: '3.6.2', listed }, { nodes: ['10.0.0.6'], skip_detach: true })),
    ['kato node remove --skip-detach 10.0.0.6'],
    'a node already gone cannot be retired',
  );
  t.deepEqual(cmds(plan('node_remove', { version: '2.10.6', listed }, { nodes: ['10.0.0.6', '10.0.0.7'] })), [
    'kato node remove 10.0.0.6',
    'kato node remove 10.0.0.7',
  ]);
  t.deepEqual(plan('node_remove', { version: '3.6.2', listed }, { nodes: ['10.0.0.9'] }).steps, []);
});

test('node_attach converges roles both ways: removes what the inventory no longer gives, keeps base', (t) => {
  const attached = (assigned: string[]) => info({ mbusip: '10.0.0.1', endpoint: 'api.c.test', assigned });
  const facts = (assigned: string[], vars: Record<string, unknown>) => ({
    version: '3.6.2',
    info: attached(assigned),
    vars,
  });
  const p = plan('node_attach', facts(['base', 'dea', 'filesystem'], { group_names: ['dea'] }), {
    core_ip: '10.0.0.1',
  });
  t.deepEqual(cmds(p), ['kato role remove filesystem']);
  t.is(p.steps[0]!.title, '- roles: remove filesystem');
  t.deepEqual(
    cmds(
      plan('node_attach', facts(['base', 'dea'], { group_names: ['databases'], stackato_roles: 'mysql,redis' }), {
        core_ip: '10.0.0.1',
      }),
    ),
    ['kato role remove dea', 'kato role add mysql redis'],
    'a stackato_roles-only host ends with exactly its roles',
  );
  const data = ['base', 'filesystem', 'memcached', 'mongodb', 'mysql', 'postgresql', 'rabbit', 'redis'];
  t.deepEqual(
    plan('node_attach', facts(data, { group_names: ['data_services'] }), { core_ip: '10.0.0.1' }).steps,
    [],
    'the data-services group counts as its members',
  );
  t.deepEqual(
    plan('node_attach', facts(['base', 'dea', 'filesystem'], { group_names: ['dea'] }), {
      core_ip: '10.0.0.1',
      exact: false,
    }).steps,
    [],
    'exact: false only adds',
  );
});

test("node_attach on the core: never attaches, converges the core's stackato_roles, keeps its own roles", (t) => {
  const vars = (stackato_roles?: string) => ({ group_names: ['core'], ...(stackato_roles ? { stackato_roles } : {}) });
  const withDea = { ...core, assigned: [...core.assigned, 'dea'] };
  const on = (i: KatoInfo, v: Record<string, unknown>) =>
    cmds(plan('node_attach', { version: '3.6.2', info: i, vars: v }, { core_ip: '10.0.0.1' }));
  t.deepEqual(on(withDea, vars()), ['kato role remove dea'], 'a role the inventory no longer gives is removed');
  t.deepEqual(on(core, vars('dea')), ['kato role add dea']);
  t.deepEqual(on(withDea, vars('dea')), []);
  t.deepEqual(
    on(info({ assigned: ['base', 'primary', 'controller', 'router', 'dea', 'mdns'] }), vars('filesystem')),
    ['kato role add filesystem'],
    'not set up yet (check mode before core_setup): only what it adds after setup',
  );
});

test('cluster_members: reports nodes the inventory no longer has, removes them (DEAs retired first) only with prune', (t) => {
  const listed = {
    '10.0.0.1': { roles: ['base', 'controller', 'primary', 'router'], names: ['core1'] },
    '10.0.0.6': { roles: ['base', 'dea'], names: ['dea1'] },
    '10.0.0.7': { roles: ['base', 'dea'], names: ['dea2'] },
    '10.0.0.8': { roles: ['base', 'mysql'], names: ['db1.example.com'] },
  };
  const facts = { version: '3.6.2', info: core, listed };
  const nodes = { core1: '10.0.0.1', dea1: '10.0.0.6', 'db1.example.com': 'db1.example.com' };
  const report = plan('cluster_members', facts, { nodes });
  t.deepEqual(report.steps, [], 'without prune nothing changes');
  t.deepEqual(report.data, { left_inventory: [{ ip: '10.0.0.7', names: ['dea2'], roles: ['base', 'dea'] }] });
  t.regex(report.note!, /10\.0\.0\.7 \(dea2\): base, dea .*prune=true/, 'a node reached by DNS name matches by name');
  const moved = plan('cluster_members', facts, { nodes: { ...nodes, dea2: '10.0.0.99' } });
  t.deepEqual(
    (moved.data!.left_inventory as { ip: string }[]).map((n) => n.ip),
    ['10.0.0.7'],
    'a host reached by IP is matched by its IP only, not by a name kato lists',
  );
  t.regex(
    plan('cluster_members', facts, { nodes: { ...nodes, dea2: '10.0.0.99' }, prune: true }).fail!,
    /not pruning: 10\.0\.0\.7 is named dea2, which the inventory reaches at 10\.0\.0\.99/,
    'never prunes a node named like an inventory host at another address',
  );
  const prune = plan('cluster_members', facts, { nodes: { core1: '10.0.0.1' }, prune: true });
  t.deepEqual(cmds(prune), [
    'kato node retire -n 10.0.0.6',
    'kato node retire -n 10.0.0.7',
    'kato node remove 10.0.0.6 10.0.0.7 10.0.0.8',
  ]);
  t.deepEqual(
    plan('cluster_members', facts, { nodes: { ...nodes, dea2: '10.0.0.7' }, prune: true }).steps,
    [],
    'every node in the inventory: nothing to do',
  );
});

test('rename: kato already has the name when its endpoint is api.<name>, whatever /etc/hostname says', (t) => {
  t.deepEqual(cmds(plan('rename', { current: 'stackato', endpoint: 'api.stackato' }, { hostname: 'n2.example.com' })), [
    'kato node rename n2.example.com --no-restart',
  ]);
  t.deepEqual(cmds(plan('rename', { current: '', endpoint: null }, { hostname: 'n2', restart: true })), [
    'kato node rename n2',
  ]);
  const kept = plan('rename', { current: 'core1', endpoint: 'api.c.test' }, { hostname: 'c.test' });
  t.deepEqual(kept.steps, [], 'a core given its own name after setup is not renamed back');
  t.regex(kept.note!, /kato's name is already c\.test/);
});

test('own_hostname: /etc/hostname, the own line of /etc/hosts (cluster name kept) and the running name', (t) => {
  const hosts = '127.0.0.1\tlocalhost\n10.0.0.1\tc.test api.c.test\n';
  const p = plan('own_hostname', { file: 'c.test\n', hosts, running: 'c.test', info: core }, { name: 'core1' });
  t.deepEqual(cmds(p), ['write /etc/hostname', 'write /etc/hosts', 'hostname core1']);
  const w = p.steps[1]!;
  t.is(w.kind === 'write' ? w.content : '', '127.0.0.1\tlocalhost\n10.0.0.1\tcore1 c.test api.c.test\n');
  const dea = info({ ip: '10.0.0.6', mbusip: '10.0.0.1', endpoint: 'api.c.test' });
  const old = '10.0.0.6\tdea-old\n10.0.0.1\tc.test api.c.test\n';
  const q = plan('own_hostname', { file: 'dea-old\n', hosts: old, running: 'dea-old', info: dea }, { name: 'dea1' });
  const h = q.steps[1]!;
  t.is(h.kind === 'write' ? h.content : '', '10.0.0.6\tdea1\n10.0.0.1\tc.test api.c.test\n', 'the old own name goes');
  const done = '10.0.0.6\tdea1\n10.0.0.1\tc.test api.c.test\n';
  t.deepEqual(
    plan('own_hostname', { file: 'dea1\n', hosts: done, running: 'dea1', info: dea }, { name: 'dea1' }).steps,
    [],
  );
});

const shareFacts = (o: Record<string, unknown> = {}) => ({
  series: '2.x',
  dirs: ['/var/vcap/shared'],
  kinds: { '/var/vcap/shared': { kind: 'dir' } },
  filled: {},
  mounted: null,
  fstab: 'proc /proc proc defaults 0 0\n',
  info: core,
  ...o,
});
const linked = { '/var/vcap/shared': { kind: 'link', target: '/mnt/controller' } };
const SSHFS_LINE =
  'root@10.0.0.1:/srv/share /mnt/controller fuse.sshfs idmap=user,reconnect,allow_other,IdentityFile=/root/k,StrictHostKeyChecking=accept-new,_netdev 0 0';

test('mount_shared on the core, in the guide order: stop, mount, fstab, move aside and link, copy once, start', (t) => {
  const params = { source: 'root@10.0.0.1:/srv/share', identity_file: '/root/k' };
  const p = plan('mount_shared', shareFacts(), params);
  t.deepEqual(
    p.steps.map((s) => s.title),
    [
      'stop the controller on the core',
      '~ /mnt/controller: not mounted -> root@10.0.0.1:/srv/share (sshfs)',
      `~ /etc/fstab: ${SSHFS_LINE}`,
      '~ /var/vcap/shared: dir -> moved aside to /var/vcap/shared.old, link to /mnt/controller',
      "~ /mnt/controller: empty -> the core's data copied from /var/vcap/shared.old (only while the share is empty)",
      'start the controller on the core',
    ],
  );
  const c = cmds(p);
  t.is(c[0], 'kato stop controller');
  t.deepEqual(
    cmds(plan('mount_shared', shareFacts({ info: info(), vars: { group_names: ['core'] } }), params)),
    c,
    'the core group host is planned as the core before kato set it up (check mode)',
  );
  t.regex(
    c[1]!,
    /sshfs -o idmap=user,reconnect,allow_other,IdentityFile=\/root\/k,\S+ -- root@10\.0\.0\.1:\/srv\/share \/mnt\/controller$/,
  );
  const fstab = p.steps[2]!;
  t.true(fstab.kind === 'write' && fstab.content === `proc /proc proc defaults 0 0\n${SSHFS_LINE}\n`);
  t.regex(
    c[3]!,
    /mv -T -- \/var\/vcap\/shared \/var\/vcap\/shared\.old && .*ln -s -- \/mnt\/controller \/var\/vcap\/shared$/,
  );
  t.regex(
    c[4]!,
    /if \[ -z "\$\(ls -A -- \/mnt\/controller\)" \]; then cp -a -n -- \/var\/vcap\/shared\.old\/\. \/mnt\/controller\/; fi/,
  );
  t.is(c[5], 'kato start controller');

  // Mounted and already holding data (another controller's or an earlier run's): linked, nothing copied.
  const full = plan(
    'mount_shared',
    shareFacts({
      mounted: { source: params.source, type: 'fuse.sshfs' },
      filled: { '/var/vcap/shared': true },
      fstab: `${SSHFS_LINE}\n`,
    }),
    params,
  );
  t.deepEqual(
    cmds(full).map((x) => x.split(' ')[0]),
    ['kato', 'mkdir', 'kato'],
  );
  t.regex(full.steps[1]!.title, /the share already holds data: the core's is not copied/);

  const done = plan(
    'mount_shared',
    shareFacts({ mounted: { source: params.source, type: 'fuse.sshfs' }, kinds: linked, fstab: `${SSHFS_LINE}\n` }),
    params,
  );
  t.deepEqual(done.steps, []);
  t.regex(done.note!, /live on \/mnt\/controller/);
  // Only the fstab line missing: just that, the controller left alone.
  const noFstab = plan(
    'mount_shared',
    shareFacts({ mounted: { source: params.source, type: 'fuse.sshfs' }, kinds: linked }),
    params,
  );
  t.deepEqual(cmds(noFstab), ['write /etc/fstab']);
  t.regex(
    plan('mount_shared', shareFacts({ mounted: { source: 'other:/x', type: 'nfs' } }), params).fail!,
    /has other:\/x mounted \(nfs\), not root@10\.0\.0\.1:\/srv\/share: unmount it first/,
  );
});

test('mount_shared on an extra controller: mount, fstab, move aside and link; no copy, controller not touched', (t) => {
  const extra = info({ assigned: ['base', 'controller', 'primary', 'router', 'dea'] });
  const p = plan('mount_shared', shareFacts({ info: extra }), {
    source: 'root@10.0.0.1:/srv/share',
    identity_file: '/root/k',
  });
  t.deepEqual(
    cmds(p).map((x) => x.split(' ')[0]),
    ['mkdir', 'write', 'mkdir'],
  );
  t.false(
    cmds(p).some((x) => /cp |kato/.test(x)),
    'an extra controller never copies its data or runs kato',
  );
  // Attached already (a rerun after attach): still not the core.
  const attached = info({ mbusip: '10.0.0.1', assigned: ['base', 'controller'] });
  t.false(
    cmds(plan('mount_shared', shareFacts({ info: attached }), { source: 'root@10.0.0.1:/srv/share' })).some((x) =>
      /cp |kato/.test(x),
    ),
  );
});

test('mount_shared with nfs: mount -t nfs failing clearly without an nfs client, the fstab line, no identity file', (t) => {
  const p = plan(
    'mount_shared',
    shareFacts({
      series: '3.x',
      dirs: ['/home/stackato/stackato/data'],
      kinds: { '/home/stackato/stackato/data': { kind: 'dir' } },
    }),
    {
      type: 'nfs',
      source: 'nas1.example.com:/export/stackato',
    },
  );
  const c = cmds(p);
  t.regex(
    c[1]!,
    /mount -t nfs -o defaults -- nas1\.example\.com:\/export\/stackato \/mnt\/controller \|\| \{ echo 'cannot mount nfs .*grep -qw nfs \/proc\/filesystems \|\| echo 'this kernel has no nfs client/,
  );
  const fstab = p.steps[2]!;
  t.true(
    fstab.kind === 'write' &&
      String(fstab.content).endsWith('nas1.example.com:/export/stackato /mnt/controller nfs defaults,_netdev 0 0\n'),
  );
  t.regex(c[3]!, /ln -s -- \/mnt\/controller \/home\/stackato\/stackato\/data$/);
  t.regex(
    plan('mount_shared', shareFacts(), { type: 'nfs', source: 'nas:/x', identity_file: '/k' }).fail!,
    /identity_file is for sshfs/,
  );
});

const move = { old_ip: '10.0.0.1', new_ip: '10.0.0.50', gateway: '10.0.0.254' };
const coreFacts = (version: string, o: Record<string, unknown> = {}) => ({
  version,
  info: core,
  pool: [],
  dns: { servers: ['10.0.0.2', '10.0.0.3'], search: ['c.test'] },
  ...o,
});
/** The detached command the core runs, unwrapped from `setsid nohup sh -c '...'`. */
const detached = (p: Plan) => cmds(p)[0]!;

test('migrate_core_ip on the core, 3.2 and later: static_ip flags keeping the DNS lists read from the node, reconnect, readiness', (t) => {
  const c = plan('migrate_core_ip', coreFacts('3.6.2'), { ...move, core: true });
  t.deepEqual(
    c.steps.map((s) => s.kind),
    ['exec', 'reconnect', 'exec'],
  );
  // kato asks stackato's password (the become password, the last line of the command's input): the
  // wrapper reads it before it detaches and answers each prompt with it.
  t.regex(
    detached(c),
    /^IFS= read -r STACKPLAY_BECOME_PW \|\| true; export STACKPLAY_BECOME_PW; setsid nohup sh -c 'sleep 1; /,
  );
  t.regex(detached(c), /"\$STACKPLAY_BECOME_PW"; } \| kato op static_ip .*--ip=10\.0\.0\.50.*--restart-network'/);
  t.regex(detached(c), /--dns-nameservers='\\''10\.0\.0\.2 10\.0\.0\.3'\\'' --dns-search-domains=c\.test /);
  t.notRegex(detached(c), /kato node migrate/, '3.x static_ip migrates the config itself');
  // The readiness wait accepts every name kato info has used for the mbus IP, then kato process ready.
  t.regex(cmds(c)[2]!, /\(mbusip\|mbus_ip\|core_ip\)/);
  t.regex(cmds(c)[2]!, /kato process ready --block 120 all \| grep -qx READY$/);
  // DNS given as params wins over the node's own.
  const given = plan('migrate_core_ip', coreFacts('3.6.2'), {
    ...move,
    core: true,
    dns_nameservers: ['10.9.9.9'],
    dns_search_domains: [],
  });
  t.regex(detached(given), /--dns-nameservers=10\.9\.9\.9 --dns-search-domains='\\'''\\'' /);
  t.deepEqual(
    plan('migrate_core_ip', coreFacts('3.6.2', { info: { ...core, ip: '10.0.0.50', mbusip: '10.0.0.50' } }), {
      ...move,
      core: true,
    }).steps,
    [],
  );
});

test('migrate_core_ip on a 2.x core: the address moves first (prompts, networking restart), then kato node migrate', (t) => {
  const c = detached(plan('migrate_core_ip', coreFacts('2.10.6'), { ...move, core: true }));
  const at = (s: string) => c.indexOf(s);
  t.true(at('kato op static_ip') > 0 && at('/etc/init.d/networking restart') > at('kato op static_ip'), c);
  t.true(at('kato node migrate 10.0.0.1 10.0.0.50') > at('/etc/init.d/networking restart'), c);
  // 2.10 reads comma-separated DNS lists at its prompts.
  t.true(c.includes('10.0.0.2,10.0.0.3'), c);
  t.false(c.includes('kato config set'), '2.x keeps the bus address in doozer, migrate rewrites it');
});

test('migrate_core_ip on a 3.0-3.4.1 core: the four message-bus keys are set after the migrate; 3.4.2 needs none', (t) => {
  const keys = (p: Plan) => cmds(p).filter((c) => c.startsWith('kato config set'));
  for (const v of ['3.0.1', '3.2.1', '3.4.1']) {
    const c = plan('migrate_core_ip', coreFacts(v), { ...move, core: true });
    t.deepEqual(
      keys(c),
      [
        `kato config set --json cloud_controller_ng message_bus_servers '["nats://10.0.0.50:4222/"]'`,
        `kato config set --json dea_ng nats_servers '["nats://10.0.0.50:4222/"]'`,
        `kato config set logyard drains/builtin.timeline 'tcp://10.0.0.50:9026?filter=event&format=json'`,
        'kato config set stackato_rest message_bus_uri nats://10.0.0.50:4222/',
      ],
      v,
    );
    t.is(c.steps.at(-5)!.title.startsWith('wait until'), true, `${v}: the keys are set once the core is ready`);
  }
  // 3.0 and 3.1 have no static_ip flags: the prompts, then a network restart; kato migrates after the prompts.
  const old = detached(plan('migrate_core_ip', coreFacts('3.0.1'), { ...move, core: true }));
  t.regex(
    old,
    /\| kato op static_ip && \{ printf .*"\$STACKPLAY_BECOME_PW"; } \| sudo -S -p .* \/etc\/init\.d\/networking restart'/,
  );
  t.false(old.includes('kato node migrate'));
  t.deepEqual(keys(plan('migrate_core_ip', coreFacts('3.4.2'), { ...move, core: true })), []);
  t.deepEqual(keys(plan('migrate_core_ip', coreFacts('3.5.0'), { ...move, core: true })), []);
  // Moved, with the keys read back: only the wrong ones are set, none once all are right.
  const moved = { ...core, ip: '10.0.0.50', mbusip: '10.0.0.50' };
  const right = {
    'cloud_controller_ng message_bus_servers': ['nats://10.0.0.50:4222/'],
    'dea_ng nats_servers': ['nats://10.0.0.50:4222/'],
    'logyard drains/builtin.timeline': 'tcp://10.0.0.50:9026?filter=event&format=json',
    'stackato_rest message_bus_uri': 'nats://10.0.0.50:4222/',
  };
  t.deepEqual(
    plan('migrate_core_ip', coreFacts('3.2.1', { info: moved, mbusKeys: right }), { ...move, core: true }).steps,
    [],
  );
  const stale = { ...right, 'dea_ng nats_servers': ['nats://10.0.0.1:4222/'] };
  t.deepEqual(
    cmds(plan('migrate_core_ip', coreFacts('3.2.1', { info: moved, mbusKeys: stale }), { ...move, core: true })),
    [`kato config set --json dea_ng nats_servers '["nats://10.0.0.50:4222/"]'`],
  );
});

test('migrate_core_ip: only the host given core: true moves its address; a micro cloud with primary is refused, never moved', (t) => {
  // The issue's case: a node never attached is a micro cloud carrying primary and controller.
  const micro = info({
    ip: '10.0.0.9',
    mbusip: '127.0.0.1',
    assigned: ['base', 'controller', 'primary', 'router', 'mysql'],
  });
  const asNode = plan('migrate_core_ip', { version: '3.6.2', info: micro, pool: [] }, move);
  t.deepEqual(asNode.steps, []);
  t.regex(asNode.fail!, /not attached to the core at 10\.0\.0\.1: it is not attached to any core \(a micro cloud\)/);
  const elsewhere = plan(
    'migrate_core_ip',
    { version: '2.10.6', info: info({ mbusip: '10.9.0.1', assigned: ['base', 'dea'] }), pool: [] },
    move,
  );
  t.regex(elsewhere.fail!, /it is attached to 10\.9\.0\.1/);
  const asCore = plan('migrate_core_ip', coreFacts('3.6.2', { info: micro }), { ...move, core: true });
  t.deepEqual(asCore.steps, []);
  t.regex(asCore.fail!, /not the core at 10\.0\.0\.1: kato info reports node ip 10\.0\.0\.9, mbus ip 127\.0\.0\.1/);
});

test('migrate_core_ip on the nodes: 2.x migrates, 3.6 reattaches, 3.0-3.5 attach again with their roles', (t) => {
  const node = info({ mbusip: '10.0.0.1', assigned: ['base', 'dea', 'mysql'] });
  t.deepEqual(cmds(plan('migrate_core_ip', { version: '2.10.6', info: node, pool: [] }, move)), [
    'kato node migrate 10.0.0.1 10.0.0.50',
  ]);
  t.deepEqual(cmds(plan('migrate_core_ip', { version: '3.6.2', info: node, pool: [] }, move)), [
    'kato node reattach 10.0.0.50',
  ]);
  for (const v of ['3.0.1', '3.2.1', '3.4.2', '3.5.0'])
    t.deepEqual(
      cmds(plan('migrate_core_ip', { version: v, info: node, pool: [] }, move)),
      ['kato node attach -e dea,mysql 10.0.0.50'],
      v,
    );
  const followed = plan(
    'migrate_core_ip',
    { version: '3.6.2', info: { ...node, mbusip: '10.0.0.50' }, pool: [] },
    move,
  );
  t.deepEqual(followed.steps, []);
  t.deepEqual(followed.data, { node_ip: '10.0.0.5', roles: ['base', 'dea', 'mysql'] });
});

test('migrate_core_ip on the load balancer: it keeps its role and its pool, the core old address swapped for the new', (t) => {
  const lb = info({ ip: '10.0.0.8', mbusip: '10.0.0.1', assigned: ['base', 'load_balancer'] });
  const pool = ['10.0.0.1', '10.0.0.12', '10.0.0.13'];
  const setup = 'kato node setup load_balancer 10.0.0.12 10.0.0.13 10.0.0.50';
  for (const v of ['3.0.1', '3.2.1', '3.4.2', '3.5.0'])
    t.deepEqual(
      cmds(plan('migrate_core_ip', { version: v, info: lb, pool }, move)),
      ['kato node attach 10.0.0.50', setup],
      v,
    );
  // 3.0-3.5 drop the role on re-attach, so it is set up again even when the core was not in its pool.
  t.deepEqual(cmds(plan('migrate_core_ip', { version: '3.4.2', info: lb, pool: ['10.0.0.12'] }, move)), [
    'kato node attach 10.0.0.50',
    'kato node setup load_balancer 10.0.0.12',
  ]);
  t.deepEqual(cmds(plan('migrate_core_ip', { version: '3.6.2', info: lb, pool }, move)), [
    'kato node reattach 10.0.0.50',
    setup,
  ]);
  t.deepEqual(cmds(plan('migrate_core_ip', { version: '3.6.2', info: lb, pool: ['10.0.0.12'] }, move)), [
    'kato node reattach 10.0.0.50',
  ]);
  const lb2 = { ...lb, assigned: ['base', 'load_balancer', 'router'] };
  t.deepEqual(cmds(plan('migrate_core_ip', { version: '2.10.6', info: lb2, pool }, move)), [
    'kato node migrate 10.0.0.1 10.0.0.50',
    setup,
  ]);
  // An interrupted 3.4 re-attach left it following the new core without its role: set up again.
  const lost = { ...lb, mbusip: '10.0.0.50', assigned: ['base'] };
  t.deepEqual(cmds(plan('migrate_core_ip', { version: '3.4.2', info: lost, pool }, { ...move, load_balancer: true })), [
    setup,
  ]);
  const done = { ...lb, mbusip: '10.0.0.50' };
  // A rerun with the inventory already at the new address (old_ip = new_ip) changes nothing.
  const rerun = { ...move, old_ip: '10.0.0.50' };
  t.deepEqual(
    plan('migrate_core_ip', { version: '3.6.2', info: done, pool: ['10.0.0.12', '10.0.0.50'] }, rerun).steps,
    [],
  );
  t.deepEqual(
    plan('migrate_core_ip', { version: '3.4.2', info: done, pool: ['10.0.0.12', '10.0.0.50'] }, move).steps,
    [],
  );
});

test('verify_nodes: each node by its own address, listed by the core, its roles running there', (t) => {
  const facts = (status: Record<string, Record<string, string>>) => ({
    listed: { '10.0.0.5': ['base', 'dea'], '10.0.0.6': ['base', 'router'] },
    info: { ...core, mbusip: '10.0.0.50' },
    status,
  });
  const running = { '10.0.0.5': ['base', 'dea'], '10.0.0.6': ['base', 'router'] };
  const ok = plan(
    'verify_nodes',
    facts({ '10.0.0.5': { base: 'running', dea: 'running' }, '10.0.0.6': { base: 'running', router: 'running' } }),
    {
      nodes: ['10.0.0.5', '10.0.0.6'],
      mbusip: '10.0.0.50',
      running,
    },
  );
  t.is(ok.fail, undefined);
  const bad = plan(
    'verify_nodes',
    facts({ '10.0.0.5': { base: 'running', dea: 'stopped' }, '10.0.0.6': { base: 'running' } }),
    {
      nodes: ['10.0.0.5', '10.0.0.6', '10.0.0.7'],
      mbusip: '10.0.0.50',
      running: { ...running, '10.0.0.7': ['dea'] },
    },
  );
  t.is(
    bad.fail,
    'not listed by the core: 10.0.0.7; 10.0.0.5: roles not running: dea stopped; 10.0.0.6: roles not running: router not listed',
  );
  t.deepEqual(bad.data!.failed_nodes, {
    '10.0.0.7': 'not listed by the core',
    '10.0.0.5': 'roles not running: dea stopped',
    '10.0.0.6': 'roles not running: router not listed',
  });
  t.regex(
    plan('verify_nodes', facts({}), { nodes: [], mbusip: '10.0.0.1' }).fail!,
    /mbus IP is 10\.0\.0\.50, not 10\.0\.0\.1/,
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
