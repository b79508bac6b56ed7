// The cluster playbooks on a real lab: build from bare nodes, converge, check mode, add and remove nodes.
import test from 'ava';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withLab, labSkipReason, namesThroughLb, TEST_SUBNET, type TestLab } from '../helpers/lab.js';
import { labPaths } from '../../src/commands/lab.js';
import { runCli, recapOf } from './cli.js';

const skip = labSkipReason();
const it = skip ? test.serial.skip : test.serial;
if (skip)
  test('cluster tests need the lab', (t) => {
    t.log(`skipped: ${skip}`);
    t.pass();
  });

const ROLES = `
[core]
core1
[router]
router1
router2
[data_services]
data1
[stager]
stager1
[dea]
dea1
dea2
dea3
[load_balancer]
lb1
[all:vars]
cluster_fqdn=stackato.test
netmask=255.255.255.0
gateway=${TEST_SUBNET}.1
`;

/** The lab's own inventory (connections) merged with one that gives the roles, as a user would. */
function inventories(lab: TestLab): string[] {
  const roles = join(lab.dir, 'roles.ini');
  writeFileSync(roles, ROLES);
  return ['-i', labPaths(lab.dir).inventory, '-i', roles];
}

/** What kato and the files say on every node: compared before and after a check run. */
async function snapshot(lab: TestLab, nodes: string[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const n of nodes) {
    const r = await lab.exec(
      n,
      'kato info --json; cat /etc/hostname /etc/hosts; cat /etc/network/interfaces 2>/dev/null; ls -la /etc/nginx 2>/dev/null | wc -l',
    );
    out[n] = r.stdout;
  }
  return out;
}

const NODES = ['core1', 'router1', 'router2', 'data1', 'stager1', 'dea1', 'dea2', 'lb1'];

it('cluster.yml builds a cluster from bare nodes; a rerun changes nothing; add-dea and remove-node work', async (t) => {
  await withLab(t, { nodes: 9 }, async (lab) => {
    const inv = inventories(lab);
    const playbook = 'playbooks/cluster.yml';

    const before = await snapshot(lab, NODES);
    const check = await runCli(['run', playbook, ...inv, '-l', '!dea3', '--check', '--output', 'json']);
    t.is(check.code, 0, check.stdout.slice(-3000) + check.stderr);
    t.true(recapOf(check).core1!.changed >= 2);
    t.deepEqual(await snapshot(lab, NODES), before, '--check changed a node');

    const first = await runCli(['run', playbook, ...inv, '-l', '!dea3', '--output', 'json']);
    t.is(first.code, 0, first.stdout.slice(-3000) + first.stderr);
    const status = await lab.kato('core1', 'status --all');
    for (const n of NODES)
      t.regex(
        status.stdout,
        new RegExp(`${lab.address(n).replace(/\./g, '\\.')} ${n}\\b`),
        `${n} missing from kato status --all`,
      );
    t.regex(status.stdout, /dea\s+running/);
    t.regex(status.stdout, /mysql\s+running/);

    const seen = new Set(await namesThroughLb(lab, 'lb1', ['router1', 'router2']));
    t.true(seen.has('router1') && seen.has('router2'), `HTTPS through the LB reached: ${[...seen].join(', ')}`);

    const second = await runCli(['run', playbook, ...inv, '-l', '!dea3', '--output', 'json']);
    t.is(second.code, 0, second.stderr);
    for (const [host, line] of Object.entries(recapOf(second)))
      t.is(line.changed, 0, `${host} changed on the second run`);

    // The firewall on data1, with only the core counted as cluster: mysql's port is dropped for others.
    const fw = [
      'run',
      'playbooks/firewall.yml',
      ...inv,
      '-l',
      'data1',
      '-e',
      `cluster_cidr=${lab.address('core1')}/32`,
      '--output',
      'json',
    ];
    const walled = await runCli(fw);
    t.is(walled.code, 0, walled.stdout.slice(-2000) + walled.stderr);
    t.is(recapOf(walled).data1!.changed, 1);
    t.is(recapOf(await runCli(fw)).data1!.changed, 0, 'the firewall rules converge');
    const probe = `timeout 3 bash -c 'echo > /dev/tcp/${lab.address('data1')}/3306'; echo $?`;
    t.is((await lab.exec('router1', probe)).stdout.trim(), '124', 'router1 should be dropped (timeout)');
    t.is(
      (await lab.exec('core1', probe)).stdout.trim(),
      '1',
      'the core should be let through (refused: nothing listens)',
    );

    // mount_shared: real sshfs from stager1 to the core; stager1 is no core, so its old data is kept beside
    // the link and never copied onto the share.
    const share = [
      'run',
      'test/fixtures/integration/share.yml',
      ...inv,
      '-e',
      `key=${labPaths(lab.dir).key}`,
      '--output',
      'json',
    ];
    const shared = await runCli([...share, '-e', 'first_time=true']);
    t.is(shared.code, 0, shared.stdout.slice(-2000) + shared.stderr);
    t.regex(
      (
        await lab.exec(
          'stager1',
          'readlink /home/stackato/stackato/data; cat /home/stackato/stackato/data.old/keep.txt',
        )
      ).stdout,
      /^\/mnt\/controller\/data\nold data\n$/,
    );
    t.is(
      (await lab.exec('core1', 'ls -A /srv/stackato-shared/data')).stdout,
      '',
      "a non-core's data stays off the share",
    );
    t.is(recapOf(await runCli(share)).stager1!.changed, 0, 'mount_shared converges');

    const add = await runCli(['run', 'playbooks/add-dea.yml', ...inv, '-l', 'dea3:core', '--output', 'json']);
    t.is(add.code, 0, add.stdout.slice(-3000) + add.stderr);
    t.regex((await lab.kato('core1', 'node list')).stdout, new RegExp(lab.address('dea3').replace(/\./g, '\\.')));

    const remove = await runCli([
      'run',
      'playbooks/remove-node.yml',
      ...inv,
      '-e',
      `remove=${lab.address('dea3')}`,
      '--output',
      'json',
    ]);
    t.is(remove.code, 0, remove.stdout.slice(-3000) + remove.stderr);
    t.notRegex(
      (await lab.kato('core1', 'node list')).stdout,
      new RegExp(`^${lab.address('dea3').replace(/\./g, '\\.')} `, 'm'),
    );
    const again = await runCli([
      'run',
      'playbooks/remove-node.yml',
      ...inv,
      '-e',
      `remove=${lab.address('dea3')}`,
      '--output',
      'json',
    ]);
    t.is(recapOf(again).core1!.changed, 0);
  });
});

it('a topology error stops the run before any connection', async (t) => {
  const inv = join(process.cwd(), 'test', 'fixtures', 'integration', 'two-cores.ini');
  const r = await runCli(['run', 'playbooks/cluster.yml', '-i', inv]);
  t.is(r.code, 4, r.stderr);
  t.regex(r.stderr, /E_TOPOLOGY/);
  t.regex(r.stderr, /two-cores\.ini:\d+:\d+/);
  t.notRegex(r.stdout + r.stderr, /unreachable/);
});
