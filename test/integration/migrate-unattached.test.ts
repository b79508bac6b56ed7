// stackplay migrate on a 10-node production-shaped lab whose database node has roles only from stackato_roles
// and was never attached (a micro cloud with primary): refused before anything is touched, or skipped.
import test from 'ava';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { withLab, labSkipReason, TEST_SUBNET, type TestLab } from '../helpers/lab.js';
import { labPaths } from '../../src/commands/lab.js';
import type { MigrationState } from '../../src/migrate/state.js';
import { runCli } from './cli.js';

const skip = labSkipReason();
const it = skip ? test.serial.skip : test.serial;
if (skip)
  test('unattached-node migrate tests need the lab', (t) => {
    t.log(`skipped: ${skip}`);
    t.pass();
  });

// As inventory/prod.example.ini: routers behind a load balancer, data services, DEAs, and a database node in
// no role group, its roles only from stackato_roles. cluster.yml attaches such a node too; the build below
// leaves it out (-l '!dea4'), as a node listed but not attached yet.
const ROLES = `[core]\ncore1\n[router]\nrouter1\nrouter2\n[load_balancer]\nlb1\n[data_services]\ndata1\n[dea]\nstager1\ndea1\ndea2\ndea3\n[databases]\ndea4 stackato_roles=mysql,postgresql\n[all:vars]\ncluster_fqdn=stackato.test\nnetmask=255.255.255.0\ngateway=${TEST_SUBNET}.1\n`;
const NEW_IP = `${TEST_SUBNET}.50`;
const ATTACHED = ['router1', 'router2', 'data1', 'stager1', 'dea1', 'dea2', 'lb1', 'dea3'];

function inventories(lab: TestLab): string[] {
  const roles = join(lab.dir, 'roles.ini');
  writeFileSync(roles, ROLES);
  return ['-i', labPaths(lab.dir).inventory, '-i', roles];
}

const eth0 = async (lab: TestLab, n: string) =>
  (await lab.exec(n, 'ip -4 -o addr show dev eth0')).stdout.match(/inet (\d+\.\d+\.\d+\.\d+)\//)?.[1];
const info = async (lab: TestLab, n: string) =>
  JSON.parse((await lab.kato(n, 'info --json')).stdout) as { mbusip: string; ip: string; assigned: string[] };

it('a node never attached (roles only from stackato_roles, a micro cloud with primary) is never migrated: refused before anything is touched, or skipped with --skip-unattached', async (t) => {
  await withLab(t, { nodes: 10 }, async (lab) => {
    const inv = inventories(lab);
    const work = mkdtempSync(join(tmpdir(), 'stackplay-migrate-u-'));
    t.teardown(() => rmSync(work, { recursive: true, force: true }));
    const env = { STACKPLAY_STATE_DIR: work };
    const built = await runCli(['run', 'playbooks/cluster.yml', ...inv, '-l', '!dea4', '--output', 'json']);
    t.is(built.code, 0, built.stdout.slice(-2000) + built.stderr);
    const oldIp = lab.address('core1');
    const db = await info(lab, 'dea4');
    t.is(db.mbusip, '127.0.0.1', 'the database node is still a micro cloud');
    t.true(db.assigned.includes('primary'), 'and carries the primary role, like a core');
    const dbIp = await eth0(lab, 'dea4');

    const migrate = ['migrate', ...inv, '--new-core-ip', NEW_IP, '--batch', '3', '--output', 'json'];
    const refused = await runCli(migrate, { env });
    t.is(refused.code, 2, refused.stdout.slice(-3000) + refused.stderr);
    t.regex(
      refused.stdout,
      /migration refused: not attached to the core at 10\.78\.0\.11: dea4 \(10\.78\.0\.20: a micro cloud attached to no core, with roles [^)]*primary[^)]*\); nothing was changed/,
    );
    t.false(existsSync(join(work, `migrate-${NEW_IP}.json`)), 'a refused migration records no progress');
    t.false(existsSync(join(work, `migrate-${NEW_IP}-config-backup.json`)), 'nor a backup');
    t.is(await eth0(lab, 'core1'), oldIp, 'the core did not move');
    t.is(await eth0(lab, 'dea4'), dbIp, 'the database node did not move');
    for (const n of ATTACHED) t.is((await info(lab, n)).mbusip, oldIp, `${n} was touched`);

    const skipped = await runCli([...migrate, '--skip-unattached'], { env });
    t.is(skipped.code, 0, skipped.stdout.slice(-3000) + skipped.stderr);
    t.regex(
      skipped.stdout,
      /skipped, not attached to the core at 10\.78\.0\.11: dea4 \(10\.78\.0\.20: a micro cloud attached to no core/,
    );
    t.regex(skipped.stdout, /every node follows the core at 10\.78\.0\.50 except the skipped dea4/);
    const state = JSON.parse(readFileSync(join(work, `migrate-${NEW_IP}.json`), 'utf8')) as MigrationState;
    t.is(state.nodes.dea4!.status, 'skipped');
    t.is(await eth0(lab, 'core1'), NEW_IP, 'the core moved');
    t.is(await eth0(lab, 'dea4'), dbIp, 'the database node kept its own address');
    t.is((await info(lab, 'dea4')).mbusip, '127.0.0.1', 'and was left alone');
    for (const n of ATTACHED) t.is((await info(lab, n)).mbusip, NEW_IP, `${n} does not follow the core`);
    const holders = [];
    for (const n of lab.state.nodes.map((x) => x.name)) if ((await eth0(lab, n)) === NEW_IP) holders.push(n);
    t.deepEqual(holders, ['core1'], 'exactly one node answers for the new core address');
  });
});
