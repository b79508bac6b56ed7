// Stackato roles, phases and topology rules: good clusters pass, each broken rule is named at its host.
import test from 'ava';
import { loadInventories } from '../../src/inventory/load.js';
import { resolveHost } from '../../src/inventory/resolve.js';
import { extraRoles, PHASES, phaseOf, ROLE_GROUPS, rolesOf } from '../../src/inventory/roles.js';
import { validateTopology } from '../../src/inventory/topology.js';
import { loadText } from './helpers.js';

const codes = (text: string, file = 't.ini') => validateTopology(loadText(text, file).inventory).map((d) => d.code);

test('the 8-node lab cluster and the production example pass', (t) => {
  for (const file of ['inventory/lab.ini', 'inventory/lab.yml', 'inventory/prod.example.ini']) {
    const { inventory, diagnostics } = loadInventories([file]);
    t.deepEqual(diagnostics, [], file);
    t.deepEqual(validateTopology(inventory), [], file);
  }
});

test('an inventory without role groups is a plain Ansible inventory', (t) => {
  t.deepEqual(codes('[web]\nw1\nw2\n[db]\nd1\nd2\n'), []);
});

test('phases follow DESIGN.md section 4, with other last', (t) => {
  t.deepEqual(
    [...PHASES],
    ['core', 'controller', 'router', 'data_services', 'stager', 'dea', 'harbor', 'load_balancer', 'other'],
  );
  t.true(ROLE_GROUPS.has('data-services'));
  t.false(ROLE_GROUPS.has('other'));
});

test('roles come from role groups (ancestors and the alias included) and stackato_roles', (t) => {
  const { inventory } = loadText(
    [
      '[core]',
      'c1 stackato_roles=dea',
      '[edge_routers]',
      'r1',
      '[router:children]',
      'edge_routers',
      '[data-services]',
      'd1',
      '[svc]',
      's1 stackato_roles="mysql, redis"',
      'plain',
      '[core:vars]',
      'x=1',
    ].join('\n'),
  );
  const roles = (h: string) => rolesOf(resolveHost(inventory, h));
  const phase = (h: string) => phaseOf(resolveHost(inventory, h));
  t.deepEqual(roles('c1'), ['core', 'dea']);
  t.is(phase('c1'), 'core');
  t.deepEqual(roles('r1'), ['router']);
  t.is(phase('r1'), 'router');
  t.deepEqual(roles('d1'), ['data_services']);
  t.deepEqual(roles('s1'), ['mysql', 'redis']);
  t.is(phase('s1'), 'data_services');
  t.deepEqual(roles('plain'), []);
  t.is(phase('plain'), 'other');
});

test('stackato_roles may be a list or a comma/space separated string', (t) => {
  t.deepEqual(extraRoles(['mysql', ' redis ']).roles, ['mysql', 'redis']);
  t.deepEqual(extraRoles('mysql,redis filesystem').roles, ['mysql', 'redis', 'filesystem']);
  t.deepEqual(extraRoles(undefined).roles, []);
  t.truthy(extraRoles(3).error);
  t.truthy(extraRoles([1]).error);
});

test('a stackato_roles of the wrong type is an error at the var', (t) => {
  const ds = validateTopology(loadText('all:\n  hosts:\n    h1:\n      stackato_roles: {a: 1}\n', 't.yml').inventory);
  t.deepEqual(
    ds.map((d) => [d.code, d.at?.line, d.at?.col]),
    [['E_TOPOLOGY_ROLE', 4, 7]],
  );
});

test('a wrong role set in group vars points at the group var', (t) => {
  const ds = validateTopology(loadText('[core]\nc1\n[dea]\nd1\n[dea:vars]\nstackato_roles=filesystm\n').inventory);
  t.deepEqual(
    ds.map((d) => [d.code, d.at?.line, d.hint]),
    [['E_TOPOLOGY_ROLE', 6, 'did you mean "filesystem"?']],
  );
});

test('external_lb=true lets several routers run without a load balancer', (t) => {
  t.deepEqual(codes('[core]\nc1\n[router]\nr1\nr2\n'), ['E_TOPOLOGY_ROUTER_LB']);
  t.deepEqual(codes('[core]\nc1\n[router]\nr1\nr2\n[router:vars]\nexternal_lb=true\n'), []);
  t.deepEqual(codes('[core]\nc1\n[router]\nr1\n'), []);
});

test('mdns is fine on a single-node micro cloud, not in a cluster', (t) => {
  t.deepEqual(codes('[core]\nc1 stackato_roles=mdns\n'), []);
  t.deepEqual(codes('[core]\nc1 stackato_roles=mdns\n[dea]\nd1\n'), ['E_TOPOLOGY_MDNS']);
});

test('shared storage vars on every controller satisfy the rule', (t) => {
  const base = '[core]\nc1\n[controller]\nctl1\n';
  t.deepEqual(codes(base), ['E_TOPOLOGY_SHARED_STORAGE', 'E_TOPOLOGY_SHARED_STORAGE']);
  t.deepEqual(codes(`${base}[all:vars]\nshared_storage_type=nfs\nshared_storage_source=nas:/x\n`), []);
  t.deepEqual(codes(`${base}[all:vars]\nshared_storage_type=sshfs\nshared_storage_source=root@s1:/srv/x\n`), []);
  t.deepEqual(
    codes(`${base}[all:vars]\nshared_storage_type=glusterfs\nshared_storage_source=nas:/x\n`),
    ['E_TOPOLOGY_SHARED_STORAGE', 'E_TOPOLOGY_SHARED_STORAGE'],
    'a type mount_shared cannot mount is named before anything runs',
  );
});

test('primary belongs to the core only; a load balancer with a data role is refused', (t) => {
  t.deepEqual(codes('[core]\nc1\n[dea]\nd1 stackato_roles=primary\n'), ['E_TOPOLOGY_CORE']);
  t.deepEqual(codes('[core]\nc1\n[load_balancer]\nlb1 stackato_roles=mysql\n'), ['E_TOPOLOGY_LB_ALONE']);
});

test('harbor with a valid public_ip passes', (t) => {
  t.deepEqual(codes('[core]\nc1\n[harbor]\nh1 public_ip=203.0.113.7\n'), []);
  t.deepEqual(codes('[core]\nc1\n[harbor]\nh1 public_ip=203.0.113.700\n'), ['E_TOPOLOGY_HARBOR_IP']);
});

test('every topology error names its host, has a hint and a position', (t) => {
  const ds = validateTopology(
    loadText('[core]\nc1\nc2\n[router]\nr1\nr2\n[load_balancer]\nlb1 stackato_roles=dea\n[harbor]\nh1\n').inventory,
  );
  t.deepEqual(
    ds.map((d) => d.code),
    ['E_TOPOLOGY_CORE', 'E_TOPOLOGY_LB_ALONE', 'E_TOPOLOGY_HARBOR_IP'],
  );
  for (const d of ds) {
    t.regex(d.message, /^(c2|lb1|h1): /);
    t.truthy(d.hint);
    t.truthy(d.at?.line);
  }
});

test('a group named like a role group but not one warns when its hosts miss that role', (t) => {
  const ds = validateTopology(
    loadText('[core]\nc1\n[routers]\nr1\n[load-balancer]\nlb1\n[deas]\nd1\n[dea:children]\ndeas\n[db]\nx\n').inventory,
  );
  t.deepEqual(
    ds.map((d) => [d.severity, d.code, d.at?.line]),
    [
      ['warning', 'E_TOPOLOGY_ROLE_GROUP', 3],
      ['warning', 'E_TOPOLOGY_ROLE_GROUP', 5],
    ],
  );
  t.is(ds[0]!.message, 'group "routers" is not the role group "router", so r1 gets no router role');
  t.is(ds[1]!.hint, 'rename it to [load_balancer], or make it a child of load_balancer ([load_balancer:children])');
});
