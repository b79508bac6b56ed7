// Role rules of the kato emulator: base stays, the core keeps its roles, the LB is exclusive, names are checked.
import test from 'ava';
import { KatoError } from '../../src/lab/kato/errors.js';
import { flavorOf } from '../../src/lab/kato/flavor.js';
import {
  availableRoles,
  expandRoleNames,
  planRoleAdd,
  planRoleRemove,
  type RoleContext,
} from '../../src/lab/kato/role-plan.js';
import { knownRoles, microCloudRoles } from '../../src/lab/kato/roles.js';

const v3 = flavorOf('3.6.2');
const v2 = flavorOf('2.10.6');
const core: RoleContext = {
  flavor: v3,
  assigned: ['base', 'controller', 'primary', 'router'],
  isCore: true,
  inCluster: true,
};
const dea: RoleContext = { flavor: v3, assigned: ['base', 'dea'], isCore: false, inCluster: true };
const lb: RoleContext = { flavor: v3, assigned: ['base', 'load_balancer'], isCore: false, inCluster: true };

const refused = (t: import('ava').ExecutionContext, fn: () => unknown, re: RegExp): KatoError => {
  const e = t.throws(fn, { instanceOf: KatoError }) as KatoError;
  t.regex(`${e.message} ${e.hint ?? ''}`, re);
  return e;
};

test('the base role cannot be removed, anywhere', (t) => {
  refused(t, () => planRoleRemove(dea, { roles: ['base'] }), /base role cannot be removed/);
  refused(t, () => planRoleRemove(core, { roles: ['dea', 'base'] }), /base role cannot be removed/);
});

test('primary, controller and router stay on the core', (t) => {
  refused(t, () => planRoleRemove(core, { roles: ['router'] }), /router cannot be removed from the core/);
  refused(t, () => planRoleRemove(core, { roles: ['primary', 'controller'] }), /controller, primary cannot be removed/);
  t.deepEqual(planRoleRemove({ ...core, assigned: [...core.assigned, 'dea'] }, { roles: [], all: true }).remove, [
    'dea',
  ]);
  t.deepEqual(planRoleRemove({ ...dea, assigned: ['base', 'router'] }, { roles: ['router'] }).remove, ['router']);
});

test('unknown roles are refused with a did-you-mean hint; stager is gone in 3.x', (t) => {
  t.is(refused(t, () => expandRoleNames(['routr'], v3), /unknown role "routr"/).hint, 'did you mean "router"?');
  refused(t, () => expandRoleNames(['stager'], v3), /folded the stager into the dea/);
  t.deepEqual(expandRoleNames(['stager'], v2), ['stager']);
  refused(t, () => expandRoleNames(['rabbit3'], v2), /unknown role "rabbit3"/);
  refused(t, () => planRoleAdd(dea, { roles: ['load_balancer'] }), /node setup load_balancer/);
});

test('data-services expands to the databases, RabbitMQ, memcached and the filesystem service', (t) => {
  t.deepEqual(expandRoleNames(['data-services'], v3), [
    'filesystem',
    'memcached',
    'mongodb',
    'mysql',
    'postgresql',
    'rabbit',
    'redis',
  ]);
});

test('a load balancer takes no other role', (t) => {
  refused(t, () => planRoleAdd(lb, { roles: ['dea'] }), /load balancer cannot have any other roles/);
  refused(t, () => planRoleAdd(lb, { roles: [], all: true }), /load balancer/);
  t.deepEqual(availableRoles(lb), []);
});

test('a cluster has one primary: not addable on attached nodes, never offered by --all there', (t) => {
  refused(t, () => planRoleAdd(dea, { roles: ['primary'] }), /primary role runs only on the core/);
  t.false(planRoleAdd(dea, { roles: [], all: true }).add.includes('primary'));
  t.true(planRoleAdd({ ...dea, inCluster: false }, { roles: ['primary'] }).add.includes('primary'));
});

test('--all-but adds every available role except those named', (t) => {
  const micro: RoleContext = { flavor: v3, assigned: ['base'], isCore: false, inCluster: false };
  const c = planRoleAdd(micro, { roles: ['mdns'], allBut: true });
  t.false(c.add.includes('mdns'));
  t.false(c.add.includes('base'));
  t.deepEqual(
    c.add,
    knownRoles(v3).filter((r) => r !== 'mdns' && r !== 'base'),
  );
  t.deepEqual(c.remove, []);
});

test('--only keeps exactly the named roles (plus base and, on the core, its own)', (t) => {
  const c = planRoleAdd(
    { ...dea, assigned: ['base', 'dea', 'mysql', 'redis'] },
    { roles: ['redis', 'router'], only: true },
  );
  t.deepEqual(c.add, ['router']);
  t.deepEqual(c.remove, ['dea', 'mysql']);
  const onCore = planRoleAdd({ ...core, assigned: [...core.assigned, 'dea'] }, { roles: ['dea'], only: true });
  t.deepEqual(onCore.remove, []);
  t.regex(onCore.warnings.join(), /primary, controller, router stay on the core/);
});

test('role remove --all-but keeps the named roles', (t) => {
  const c = planRoleRemove({ ...dea, assigned: ['base', 'dea', 'mysql', 'redis'] }, { roles: ['mysql'], allBut: true });
  t.deepEqual(c.remove, ['dea', 'redis']);
});

test('conflicting or empty requests are refused', (t) => {
  refused(t, () => planRoleAdd(dea, { roles: [] }), /no roles given/);
  refused(t, () => planRoleAdd(dea, { roles: ['dea'], all: true }), /--all takes no role names/);
  refused(t, () => planRoleAdd(dea, { roles: ['dea'], allBut: true, only: true }), /cannot be used together/);
  refused(t, () => planRoleAdd(dea, { roles: [], only: true }), /--only needs at least one role/);
  refused(t, () => planRoleRemove(dea, { roles: ['dea'], only: true }), /--only is an option of `kato role add`/);
});

test('adding what is there changes nothing; removing what is absent only warns', (t) => {
  t.deepEqual(planRoleAdd(dea, { roles: ['dea'] }).add, []);
  const r = planRoleRemove(dea, { roles: ['mysql'] });
  t.deepEqual(r.remove, []);
  t.regex(r.warnings.join(), /mysql is not configured/);
});

test('mdns in a cluster is allowed with a warning', (t) => {
  const c = planRoleAdd(dea, { roles: ['mdns'] });
  t.deepEqual(c.add, ['mdns']);
  t.regex(c.warnings.join(), /mdns/);
});

test('fresh micro clouds: 3.0 ships several data services off, 2.10 has the stager', (t) => {
  t.false(microCloudRoles(v3).includes('postgresql'));
  t.true(microCloudRoles(v2).includes('stager'));
  t.true(microCloudRoles(v2).includes('rabbit'));
});
