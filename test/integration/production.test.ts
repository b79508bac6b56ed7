// A production-shaped cluster on the lab (issue 11 point 1): ten nodes from an inventory shaped like
// inventory/prod.example.ini (a second controller on an sshfs share served by a storage node, two routers
// behind the load balancer, data services, a node whose roles come only from stackato_roles, DEAs).
import test from 'ava';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withLab, labSkipReason, namesThroughLb, TEST_SUBNET, type TestLab } from '../helpers/lab.js';
import { labPaths } from '../../src/commands/lab.js';
import { runCli, recapOf } from './cli.js';

const skip = labSkipReason();
const it = skip ? test.serial.skip : test.serial;
if (skip) test('the production-shaped cluster needs the lab', (t) => t.log(`skipped: ${skip}`) ?? t.pass());

const FQDN = 'stackato.prod.test';
const SHARE = '/export/stackato';
// In address order; nas1 serves the controllers' share and has no Stackato role.
const NAMES = ['core1', 'ctl1', 'router1', 'router2', 'data1', 'db1', 'dea1', 'dea2', 'lb1', 'nas1'];
const CLUSTER = NAMES.filter((n) => n !== 'nas1');

/** The role part of the inventory, grouped as inventory/prod.example.ini groups its hosts. */
function prodShaped(lab: TestLab): string {
  return `
# One core: controller, primary and router.
[core]
core1
# A second controller: with two, both mount the same share for /var/vcap/shared.
[controller]
ctl1
# Two routers need the load balancer in front of them.
[router]
router1
router2
[load_balancer]
lb1
[data_services]
data1
# In no role group: its roles come from stackato_roles only.
[databases]
db1 stackato_roles=mysql,postgresql
[dea]
dea1
dea2
# The storage server: no Stackato role, only its sshd serves the share.
[storage]
nas1
[shared_storage:children]
core
controller
[shared_storage:vars]
shared_storage_type=sshfs
shared_storage_source=root@${lab.address('nas1')}:${SHARE}
shared_storage_path=/mnt/controller
shared_storage_identity_file=${labPaths(lab.dir).key}
[all:vars]
cluster_fqdn=${FQDN}
netmask=255.255.255.0
gateway=${TEST_SUBNET}.1
`;
}

/** kato's own expansion of the data-services role group on 3.6 (the lab's kato-roles test pins it). */
const DATA_SERVICES = ['base', 'filesystem', 'memcached', 'mongodb', 'mysql', 'postgresql', 'rabbit', 'redis'];
const EXPECTED_ROLES: Record<string, string[]> = {
  core1: ['base', 'controller', 'primary', 'router'],
  ctl1: ['base', 'controller'],
  router1: ['base', 'router'],
  router2: ['base', 'router'],
  data1: DATA_SERVICES,
  db1: ['base', 'mysql', 'postgresql'],
  dea1: ['base', 'dea'],
  dea2: ['base', 'dea'],
  lb1: ['base', 'load_balancer'],
};

interface StatusJson {
  nodes: Record<string, { name: string; roles: Record<string, { status: string }> }>;
}

/** Each node's own hostname, and what kato on it calls the cluster (its API endpoint). */
async function names(lab: TestLab): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const n of CLUSTER) {
    const host = (await lab.exec(n, 'hostname')).stdout.trim();
    const info = JSON.parse((await lab.kato(n, 'info --json')).stdout) as { endpoint?: string };
    out[n] = `${host} endpoint=${info.endpoint ?? '-'}`;
  }
  return out;
}

it('a production-shaped 10-node cluster converges from prod.example-shaped groups; a rerun changes nothing; kato status --all lists every node with exactly its inventory roles; HTTPS through the LB reaches both routers; unique hostnames, the cluster name kept by kato', (t) =>
  withLab(t, { nodes: NAMES.length, names: NAMES }, async (lab) => {
    await lab.exec('nas1', `mkdir -p ${SHARE}`);
    const roles = join(lab.dir, 'prod-shaped.ini');
    writeFileSync(roles, prodShaped(lab));
    const run = ['run', 'playbooks/cluster.yml', '-i', labPaths(lab.dir).inventory, '-i', roles, '--output', 'json'];

    const first = await runCli(run);
    t.is(first.code, 0, first.stdout.slice(-4000) + first.stderr);
    t.true(
      CLUSTER.every((n) => (recapOf(first)[n]?.changed ?? 0) > 0),
      'every cluster node was changed by the first run',
    );
    t.is(recapOf(first).nas1, undefined, 'the storage server has no Stackato role and is not touched');

    const status = await lab.kato('core1', 'status --all --json');
    t.is(status.code, 0, status.stderr);
    const nodes = (JSON.parse(status.stdout) as StatusJson).nodes;
    const byName = Object.fromEntries(
      Object.entries(nodes).map(([ip, n]) => [CLUSTER.find((c) => lab.address(c) === ip) ?? ip, n]),
    );
    t.deepEqual(Object.keys(byName).sort(), [...CLUSTER].sort(), 'kato status --all lists every node, only them');
    for (const n of CLUSTER) {
      t.deepEqual(Object.keys(byName[n]!.roles).sort(), EXPECTED_ROLES[n], `${n}: exactly its inventory roles`);
      for (const [role, s] of Object.entries(byName[n]!.roles)) t.is(s.status, 'running', `${n}: ${role} running`);
    }
    const text = await lab.kato('core1', 'status --all');
    for (const n of CLUSTER) t.true(text.stdout.includes(lab.address(n)), `${n} in kato status --all:\n${text.stdout}`);

    const seen = new Set(await namesThroughLb(lab, 'lb1', ['router1', 'router2']));
    t.true(seen.has('router1') && seen.has('router2'), `HTTPS through the LB reached: ${[...seen].join(', ')}`);

    // The guide's last step: unique hostnames on every node (the load balancer answers to the cluster's
    // name), while kato keeps the cluster's name for its API endpoint.
    const after = await names(lab);
    for (const n of CLUSTER)
      t.is(after[n], `${n === 'lb1' ? FQDN : n} endpoint=api.${FQDN}`, `${n}: its hostname and kato's cluster name`);

    const rerun = await runCli(run);
    t.is(rerun.code, 0, rerun.stdout.slice(-4000) + rerun.stderr);
    for (const [host, r] of Object.entries(recapOf(rerun))) t.is(r.changed, 0, `${host} changed on the rerun`);
    t.deepEqual(await names(lab), after, 'hostnames stable across reruns');
    const again = JSON.parse((await lab.kato('core1', 'status --all --json')).stdout) as StatusJson;
    t.deepEqual(Object.keys(again.nodes).sort(), Object.keys(nodes).sort(), 'the rerun keeps the same nodes');
  }));
