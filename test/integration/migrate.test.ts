// stackplay migrate on a real lab cluster: a healthy move to a new core IP, a stop at --max-fail, and --resume.
import test from 'ava';
import { writeFileSync, readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { withLab, labSkipReason, namesThroughLb, TEST_SUBNET, type TestLab } from '../helpers/lab.js';
import { labPaths, labUp } from '../../src/commands/lab.js';
import { readState } from '../../src/lab/state.js';
import { runCli, recapOf } from './cli.js';

const skip = labSkipReason();
const it = skip ? test.serial.skip : test.serial;
if (skip)
  test('migrate tests need the lab', (t) => {
    t.log(`skipped: ${skip}`);
    t.pass();
  });

const ROLES = `[core]\ncore1\n[router]\nrouter1\nrouter2\n[data_services]\ndata1\n[stager]\nstager1\n[dea]\ndea1\ndea2\n[load_balancer]\nlb1\n[all:vars]\ncluster_fqdn=stackato.test\nnetmask=255.255.255.0\ngateway=${TEST_SUBNET}.1\n`;
const NEW_IP = `${TEST_SUBNET}.50`;

function inventories(lab: TestLab): string[] {
  const roles = join(lab.dir, 'roles.ini');
  writeFileSync(roles, ROLES);
  return ['-i', labPaths(lab.dir).inventory, '-i', roles];
}

it('a cluster moves to a new core IP; an unreachable node stops the run at --max-fail; --resume finishes it', async (t) => {
  await withLab(t, { nodes: 8 }, async (lab) => {
    const inv = inventories(lab);
    const work = mkdtempSync(join(tmpdir(), 'stackplay-migrate-'));
    t.teardown(() => rmSync(work, { recursive: true, force: true }));
    const built = await runCli(['run', 'playbooks/cluster.yml', ...inv, '--output', 'json']);
    t.is(built.code, 0, built.stdout.slice(-2000) + built.stderr);

    // dea1 goes away before its batch comes: the run must stop there and say what is left.
    const sshd = readState(lab.dir)!.nodes.find((n) => n.name === 'dea1')!.sshd!;
    process.kill(sshd.pid, 'SIGTERM');
    const migrate = ['migrate', ...inv, '--new-core-ip', NEW_IP, '--batch', '1', '--max-fail', '0', '--output', 'json'];
    const first = await runCli(migrate, { env: { STACKPLAY_STATE_DIR: work } });
    t.is(first.code, 3, first.stdout.slice(-3000) + first.stderr);
    t.is(recapOf(first).dea1!.unreachable, 1);
    const state = JSON.parse(readFileSync(join(work, `migrate-${NEW_IP}.json`), 'utf8')) as {
      nodes: Record<string, { status: string }>;
    };
    t.is(state.nodes.core1!.status, 'done');
    t.is(state.nodes.dea1!.status, 'unreachable');
    t.is(state.nodes.dea2!.status, 'pending', 'nodes after the failure must not be touched');
    t.regex(first.stdout, /not migrated yet: [^"]*dea1[^"]*dea2/);

    const again = await runCli(migrate, { env: { STACKPLAY_STATE_DIR: work } });
    t.is(again.code, 5, 'an unfinished migration needs --resume');

    await labUp({ nodes: 8, katoVersion: '3.6.2', dir: lab.dir, prefix: lab.prefix, subnet: TEST_SUBNET });
    const resumed = await runCli([...migrate, '--resume'], { env: { STACKPLAY_STATE_DIR: work } });
    t.is(resumed.code, 0, resumed.stdout.slice(-3000) + resumed.stderr);
    t.is(recapOf(resumed).router1, undefined, 'done nodes are not touched again');

    for (const n of ['core1', 'router1', 'router2', 'data1', 'stager1', 'dea1', 'dea2', 'lb1']) {
      const info = JSON.parse((await lab.kato(n, 'info --json')).stdout) as { mbusip: string };
      t.is(info.mbusip, NEW_IP, `${n} still points at the old core`);
    }
    const seen = new Set(await namesThroughLb(lab, 'lb1', ['router1', 'router2']));
    t.true(seen.has('router1') && seen.has('router2'), `HTTPS through the LB reached: ${[...seen].join(', ')}`);

    const rerun = await runCli(['migrate', ...inv, '--new-core-ip', NEW_IP, '--output', 'json'], {
      env: { STACKPLAY_STATE_DIR: work },
    });
    t.is(
      rerun.code,
      0,
      rerun.stdout
        .split('\n')
        .filter((l) => l.includes('"failed"') || l.includes('warning'))
        .join('\n')
        .slice(0, 3000),
    );
    for (const [host, line] of Object.entries(recapOf(rerun)))
      t.is(line.changed, 0, `${host} changed on a rerun after success`);
  });
});
