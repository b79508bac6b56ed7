// cluster.yml with the inventory as the truth, on one small lab: roles removed both ways, a node that left the
// inventory reported then pruned (DEA retired first), a stackato_roles-only host, unique stable hostnames.
import test from 'ava';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { labPaths } from '../../src/commands/lab.js';
import { labSkipReason, TEST_SUBNET, withLab, type TestLab } from '../helpers/lab.js';
import { recapOf, runCli, type CliResult } from './cli.js';

const skip = labSkipReason();
const it = skip ? test.serial.skip : test.serial;
if (skip)
  test('convergence tests need the lab', (t) => {
    t.log(`skipped: ${skip}`);
    t.pass();
  });

// The lab names its five nodes core1, router1, router2, data1, stager1; the roles come from these inventories.
// data1 is in no role group: its roles come only from stackato_roles (as prod.example.ini's db1/db2).
/** The roles inventory; the second one takes filesystem from core1 and stager1, and router2 out of the dea group. */
const roles = (o: { stagerRoles: string; router2: boolean }) => `
[core]
core1${o.stagerRoles ? ` stackato_roles=${o.stagerRoles}` : ''}
[router]
router1
[databases]
data1 stackato_roles=mysql,redis
[dea]
stager1 hostname=worker1.stackato.test${o.stagerRoles ? ` stackato_roles=${o.stagerRoles}` : ''}
${o.router2 ? 'router2' : ''}
[all:vars]
cluster_fqdn=stackato.test
netmask=255.255.255.0
gateway=${TEST_SUBNET}.1
`;
// router2 leaves the inventory's roles; it stays in the lab's own inventory, with no role.
const FIRST = roles({ stagerRoles: 'filesystem', router2: true });
const SECOND = roles({ stagerRoles: '', router2: false });

const NODES = ['core1', 'router1', 'router2', 'data1', 'stager1'];
const PLAYBOOK = 'playbooks/cluster.yml';

function inventories(lab: TestLab, roles: string, name: string): string[] {
  const file = join(lab.dir, name);
  writeFileSync(file, roles);
  return ['-i', labPaths(lab.dir).inventory, '-i', file];
}

/** What kato and the name files say on every node, and the core's node list: compared around check runs. */
async function snapshot(lab: TestLab): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const n of NODES)
    out[n] = (await lab.exec(n, 'kato info --json; cat /etc/hostname /etc/hosts; hostname')).stdout;
  out.nodeList = (await lab.kato('core1', 'node list')).stdout;
  return out;
}

async function assigned(lab: TestLab, node: string): Promise<string[]> {
  const r = await lab.kato(node, 'info --json');
  return (JSON.parse(r.stdout) as { assigned: string[] }).assigned;
}

/** The roles `kato status --json` on the core shows for a node. */
async function statusRoles(lab: TestLab, node: string): Promise<string[]> {
  const r = await lab.kato('core1', 'status --json');
  const data = JSON.parse(r.stdout) as Record<string, unknown>;
  const nodes = (data.nodes ?? data) as Record<string, { roles: Record<string, unknown> }>;
  return Object.keys(nodes[lab.address(node)]?.roles ?? {}).sort();
}

const names = async (lab: TestLab): Promise<Record<string, string>> =>
  Object.fromEntries(
    await Promise.all(
      NODES.map(async (n) => [n, (await lab.exec(n, 'echo "$(cat /etc/hostname) $(hostname)"')).stdout.trim()]),
    ),
  );

const ok = (t: { is(a: unknown, b: unknown, m?: string): void }, r: CliResult) =>
  t.is(r.code, 0, r.stdout.slice(-4000) + r.stderr);
const changedHosts = (r: CliResult) =>
  Object.entries(recapOf(r))
    .filter(([, l]) => l.changed > 0)
    .map(([h]) => h);
const listed = async (lab: TestLab, node: string) =>
  new RegExp(`^${lab.address(node).replace(/\./g, '\\.')} `, 'm').test((await lab.kato('core1', 'node list')).stdout);

it('cluster.yml converges on the inventory: roles both ways, departed nodes reported then pruned, unique names', async (t) => {
  await withLab(t, { nodes: 5 }, async (lab) => {
    const first = inventories(lab, FIRST, 'first.ini');
    const built = await runCli(['run', PLAYBOOK, ...first, '--output', 'json']);
    ok(t, built);
    t.deepEqual(await assigned(lab, 'data1'), ['base', 'mysql', 'redis'], 'a stackato_roles-only host attaches');
    t.deepEqual(await statusRoles(lab, 'data1'), ['base', 'mysql', 'redis']);
    t.true((await assigned(lab, 'stager1')).includes('filesystem'));
    t.true((await assigned(lab, 'core1')).includes('filesystem'), "the core's stackato_roles");

    // The guide's names: kato keeps the cluster name (the endpoint), each host ends with its own hostname.
    const afterBuild = await names(lab);
    t.deepEqual(afterBuild, {
      core1: 'core1 core1',
      router1: 'router1 router1',
      router2: 'router2 router2',
      data1: 'data1 data1',
      stager1: 'worker1.stackato.test worker1.stackato.test',
    });
    t.is(JSON.parse((await lab.kato('core1', 'info --json')).stdout).endpoint, 'api.stackato.test');
    t.regex((await lab.exec('core1', 'cat /etc/hosts')).stdout, /\tcore1 stackato\.test api\.stackato\.test$/m);

    const rerun = await runCli(['run', PLAYBOOK, ...first, '--output', 'json']);
    ok(t, rerun);
    t.deepEqual(changedHosts(rerun), [], 'a rerun changes nothing');
    t.deepEqual(await names(lab), afterBuild, 'names do not flip on a rerun');

    // stager1 loses filesystem, router2 leaves: --check --diff shows both and changes nothing.
    const second = inventories(lab, SECOND, 'second.ini');
    const before = await snapshot(lab);
    const check = await runCli(['run', PLAYBOOK, ...second, '--check', '--diff', '--output', 'json']);
    ok(t, check);
    t.is(check.stdout.match(/"title":"- roles: remove filesystem"/g)?.length, 2, 'on core1 and stager1');
    const router2 = lab.address('router2').replace(/\./g, '\\.');
    t.regex(check.stdout, new RegExp(`not in the inventory, kept: ${router2} \\(router2\\): base, dea`));
    t.deepEqual(await snapshot(lab), before, '--check changed a node');

    const converged = await runCli(['run', PLAYBOOK, ...second, '--output', 'json']);
    ok(t, converged);
    t.deepEqual(changedHosts(converged).sort(), ['core1', 'stager1'], 'only the role removals change anything');
    t.deepEqual(await assigned(lab, 'core1'), ['base', 'controller', 'primary', 'router'], 'the core keeps its own');
    t.false((await assigned(lab, 'stager1')).includes('filesystem'), 'kato info on the node');
    t.false((await statusRoles(lab, 'stager1')).includes('filesystem'), 'kato status on the core');
    t.true((await statusRoles(lab, 'stager1')).includes('dea'));
    t.true(await listed(lab, 'router2'), 'a node that left the inventory is kept without prune');
    t.regex(converged.stdout, new RegExp(`not in the inventory, kept: ${router2} \\(router2\\): base, dea`));

    const again = await runCli(['run', PLAYBOOK, ...second, '--output', 'json']);
    ok(t, again);
    t.deepEqual(changedHosts(again), [], 'the second rerun changes nothing');
    t.regex(again.stdout, new RegExp(`not in the inventory, kept: ${router2}`), 'reported on every run');

    // The lab's kato holds the reference's order: a DEA still running is not removed before it is retired.
    const early = await lab.kato('core1', `node remove ${lab.address('router2')}`);
    t.not(early.code, 0, early.stdout);
    t.regex(early.stderr, /is a DEA that still runs apps[\s\S]*kato node retire -n/);
    t.true(await listed(lab, 'router2'));

    // prune: --check --diff first shows the retire and the removal, and changes nothing.
    const before2 = await snapshot(lab);
    const pruneCheck = await runCli([
      'run',
      PLAYBOOK,
      ...second,
      '-e',
      'prune=true',
      '--check',
      '--diff',
      '--output',
      'json',
    ]);
    ok(t, pruneCheck);
    t.regex(pruneCheck.stdout, new RegExp(`- retire DEA ${router2} \\(router2\\)`));
    t.regex(pruneCheck.stdout, new RegExp(`- nodes ${router2} \\(router2\\)`));
    t.deepEqual(await snapshot(lab), before2, '--check with prune changed a node');

    const pruned = await runCli(['run', PLAYBOOK, ...second, '-e', 'prune=true', '--output', 'json']);
    ok(t, pruned);
    const retiredAt = pruned.stdout.search(/"title":"- retire DEA /);
    const removedAt = pruned.stdout.search(/"title":"- nodes /);
    t.true(retiredAt >= 0 && removedAt > retiredAt, 'the DEA is retired before it is removed');
    t.false(await listed(lab, 'router2'), 'pruned from the cluster');
    t.deepEqual(changedHosts(pruned), ['core1']);

    const settled = await runCli(['run', PLAYBOOK, ...second, '-e', 'prune=true', '--output', 'json']);
    ok(t, settled);
    t.deepEqual(changedHosts(settled), [], 'pruning again changes nothing');
    t.notRegex(settled.stdout, /not in the inventory/);
    t.deepEqual(await names(lab), { ...afterBuild }, 'names stayed through it all');
  });
});
