// stackplay migrate on a kato 3.4.1 lab cluster: the message-bus keys set by hand after the core's migrate, and
// the load balancer re-attached with no roles, then set up again over its own pool.
import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { withLab, labSkipReason, namesThroughLb, TEST_SUBNET, type TestLab } from '../helpers/lab.js';
import { labPaths } from '../../src/commands/lab.js';
import { runCli, recapOf } from './cli.js';

const skip = labSkipReason();
const it = skip ? test.serial.skip : test.serial;
if (skip)
  test('3.4 migrate tests need the lab', (t) => {
    t.log(`skipped: ${skip}`);
    t.pass();
  });

// The lab names its first three nodes core1 router1 router2; router2 serves as the load balancer here.
const ROLES = `[core]\ncore1\n[router]\nrouter1\n[load_balancer]\nrouter2\n[all:vars]\ncluster_fqdn=stackato.test\nnetmask=255.255.255.0\ngateway=${TEST_SUBNET}.1\n`;
const NEW_IP = `${TEST_SUBNET}.50`;

function inventories(lab: TestLab): string[] {
  const roles = join(lab.dir, 'roles.ini');
  writeFileSync(roles, ROLES);
  return ['-i', labPaths(lab.dir).inventory, '-i', roles];
}

const config = async (lab: TestLab, key: string) =>
  JSON.parse((await lab.kato('core1', `config get --json ${key}`)).stdout) as unknown;

it('kato 3.4.1: the four message-bus keys follow the core; the load balancer keeps its role and its pool', async (t) => {
  await withLab(t, { nodes: 3, katoVersion: '3.4.1' }, async (lab) => {
    const inv = inventories(lab);
    const work = mkdtempSync(join(tmpdir(), 'stackplay-migrate34-'));
    t.teardown(() => rmSync(work, { recursive: true, force: true }));
    const env = { STACKPLAY_STATE_DIR: work };
    const built = await runCli(['run', 'playbooks/cluster.yml', ...inv, '--output', 'json']);
    t.is(built.code, 0, built.stdout.slice(-2000) + built.stderr);
    const oldIp = lab.address('core1');
    const nats = (ip: string) => `nats://${ip}:4222/`;
    t.deepEqual(await config(lab, 'dea_ng nats_servers'), [nats(oldIp)]);

    const migrate = ['migrate', ...inv, '--new-core-ip', NEW_IP, '--output', 'json'];
    const moved = await runCli(migrate, { env });
    t.is(moved.code, 0, moved.stdout.slice(-3000) + moved.stderr);

    t.deepEqual(await config(lab, 'cloud_controller_ng message_bus_servers'), [nats(NEW_IP)]);
    t.deepEqual(await config(lab, 'dea_ng nats_servers'), [nats(NEW_IP)]);
    t.is(await config(lab, 'stackato_rest message_bus_uri'), nats(NEW_IP));
    t.is(await config(lab, 'logyard drains/builtin.timeline'), `tcp://${NEW_IP}:9026?filter=event&format=json`);

    const lb = JSON.parse((await lab.kato('router2', 'info --json')).stdout) as { mbusip: string; assigned: string[] };
    t.is(lb.mbusip, NEW_IP);
    t.true(lb.assigned.includes('load_balancer'), `the load balancer lost its role: ${lb.assigned.join(' ')}`);
    const pool = (await lab.exec('router2', 'cat /etc/nginx/kato-lb.conf')).stdout;
    t.false(pool.includes(`server ${oldIp}:80;`), pool);
    t.true(pool.includes(`server ${NEW_IP}:80;`) && pool.includes(`server ${lab.address('router1')}:80;`), pool);
    const seen = new Set(await namesThroughLb(lab, 'router2', ['router1']));
    t.true(seen.has('router1'), `HTTPS through the LB reached: ${[...seen].join(', ')}`);

    const rerun = await runCli(migrate, { env });
    t.is(rerun.code, 0, rerun.stdout.slice(-3000) + rerun.stderr);
    for (const [host, line] of Object.entries(recapOf(rerun)))
      t.is(line.changed, 0, `${host} changed on a rerun after success`);
  });
});
