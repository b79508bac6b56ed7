// stackplay migrate on a real kato 3.6.2 lab cluster: --check, a node dying mid-migrate, a batch failing verification,
// --resume after each, and a rerun that changes nothing.
import test from 'ava';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { withLab, labSkipReason, namesThroughLb, TEST_SUBNET, type TestLab } from '../helpers/lab.js';
import { labPaths, labStop, labUp } from '../../src/commands/lab.js';
import type { MigrationState } from '../../src/migrate/state.js';
import { runCli, recapOf, startCli, until } from './cli.js';

const skip = labSkipReason();
const it = skip ? test.serial.skip : test.serial;
if (skip)
  test('migrate tests need the lab', (t) => {
    t.log(`skipped: ${skip}`);
    t.pass();
  });

const ROLES = `[core]\ncore1\n[router]\nrouter1\nrouter2\n[data_services]\ndata1\n[stager]\nstager1\n[dea]\ndea1\ndea2\n[load_balancer]\nlb1\n[all:vars]\ncluster_fqdn=stackato.test\nnetmask=255.255.255.0\ngateway=${TEST_SUBNET}.1\n`;
const NEW_IP = `${TEST_SUBNET}.50`;
const NODES = ['core1', 'router1', 'router2', 'data1', 'stager1', 'dea1', 'dea2', 'lb1'];

function inventories(lab: TestLab): string[] {
  const roles = join(lab.dir, 'roles.ini');
  writeFileSync(roles, ROLES);
  return ['-i', labPaths(lab.dir).inventory, '-i', roles];
}

const progress = (work: string): MigrationState | null => {
  const f = join(work, `migrate-${NEW_IP}.json`);
  return existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as MigrationState) : null;
};
const warnings = (stdout: string): string =>
  stdout
    .split('\n')
    .filter((l) => l.includes('"warning"'))
    .join('\n');

it('kato 3.6.2: --check plans every batch; a node dying mid-migrate and a batch failing verification each stop the run, --resume finishes it, a rerun changes nothing', async (t) => {
  await withLab(t, { nodes: 8 }, async (lab) => {
    const inv = inventories(lab);
    const work = mkdtempSync(join(tmpdir(), 'stackplay-migrate-'));
    t.teardown(() => rmSync(work, { recursive: true, force: true }));
    const env = { STACKPLAY_STATE_DIR: work };
    const built = await runCli(['run', 'playbooks/cluster.yml', ...inv, '--output', 'json']);
    t.is(built.code, 0, built.stdout.slice(-2000) + built.stderr);
    const oldIp = lab.address('core1');
    // The core has DNS servers and a search domain: the migration must keep them.
    const dns = await lab.kato(
      'core1',
      `op static_ip --interface=eth0 --ip=${oldIp} --netmask=255.255.255.0 --gateway=${TEST_SUBNET}.1 --dns-nameservers="${TEST_SUBNET}.2 ${TEST_SUBNET}.3" --dns-search-domains=lab.test`,
    );
    t.is(dns.code, 0, dns.stderr);
    // dea2 (the last batch) has its DEA role stopped: it re-attaches, but the core does not see it running.
    const stopped = await lab.kato('dea2', 'stop dea');
    t.is(stopped.code, 0, stopped.stderr);
    const poolBefore = (await lab.exec('lb1', 'cat /etc/nginx/kato-lb.conf')).stdout;
    t.true(poolBefore.includes(`server ${oldIp}:80;`), 'the core is in the load balancer pool before');

    const migrate = ['migrate', ...inv, '--new-core-ip', NEW_IP, '--batch', '1', '--max-fail', '0', '--output', 'json'];

    // --check: the whole plan per batch, the backup and the checks, and nothing changed or recorded.
    const check = await runCli([...migrate, '--check'], { env });
    t.is(check.code, 0, check.stdout.slice(-3000) + check.stderr);
    const plays = check.events
      .filter((e) => e.type === 'play:start')
      .map((e) => (e.type === 'play:start' ? e.name : ''));
    t.deepEqual(
      plays.filter((p) => p.startsWith('batch')),
      [
        'batch 1: lb1',
        'batch 2: router1',
        'batch 3: router2',
        'batch 4: data1',
        'batch 5: stager1',
        'batch 6: dea1',
        'batch 7: dea2',
      ],
    );
    t.regex(check.stdout, /would back up the core's config store to [^"]*migrate-10\.78\.0\.50-config-backup\.json/);
    t.regex(check.stdout, /kato node setup load_balancer 10\.78\.0\.12 10\.78\.0\.13 10\.78\.0\.50/);
    t.regex(check.stdout, /after batch 7 the core must list 10\.78\.0\.17 on 10\.78\.0\.50/);
    t.is(progress(work), null, '--check records no progress');
    t.is(lab.address('core1'), oldIp, '--check moved nothing');

    // A node dies mid-migrate: dea1 is powered off once the core has moved.
    const run = startCli(t, migrate, undefined, env);
    await until(() => progress(work)?.nodes.core1?.status === 'done', run, 'the core moved');
    await labStop({ dir: lab.dir, nodes: ['dea1'] });
    const first = await run.done;
    const out = run.result();
    t.is(first, 3, out.stdout.slice(-3000) + out.stderr);
    let state = progress(work)!;
    t.is(state.nodes.core1!.status, 'done');
    t.is(state.nodes.dea1!.status, 'unreachable');
    t.is(state.nodes.dea2!.status, 'pending', 'nodes after the failure must not be touched');
    t.regex(out.stdout, /not migrated yet: [^"]*dea1[^"]*dea2/);
    // The backup was written before the core moved, on the controller, and named in the output.
    t.truthy(state.backup);
    t.true(out.stdout.includes(`backup of the core's config store is ${state.backup}`));
    const backup = JSON.parse(readFileSync(state.backup!, 'utf8')) as { components: { cluster: { mbusip: string } } };
    t.is(backup.components.cluster.mbusip, oldIp, 'the backup holds the config from before the move');
    // The load balancer moved right after the core, with the core's old address gone from its pool.
    t.is(state.nodes.lb1!.status, 'done');
    t.true(state.nodes.lb1!.at! < state.nodes.router1!.at!, 'the load balancer follows the core first');
    const pool = (await lab.exec('lb1', 'cat /etc/nginx/kato-lb.conf')).stdout;
    t.false(pool.includes(`server ${oldIp}:80;`), pool);
    t.true(pool.includes(`server ${NEW_IP}:80;`), pool);

    const again = await runCli(migrate, { env });
    t.is(again.code, 5, 'an unfinished migration needs --resume');

    // dea1 is back: --resume goes on, and the last batch (dea2) fails its verification.
    await labUp({ nodes: 8, katoVersion: '3.6.2', dir: lab.dir, prefix: lab.prefix, subnet: TEST_SUBNET });
    const resumed = await runCli([...migrate, '--resume'], { env });
    t.is(resumed.code, 2, resumed.stdout.slice(-3000) + resumed.stderr);
    t.is(recapOf(resumed).router1, undefined, 'done nodes are not touched again');
    state = progress(work)!;
    t.is(state.nodes.dea1!.status, 'done');
    t.is(state.nodes.dea2!.status, 'failed');
    t.regex(state.nodes.dea2!.error!, /verification on the core: roles not running: dea stopped/);
    t.regex(warnings(resumed.stdout), /failed: dea2 \(verification on the core: roles not running: dea stopped\)/);
    t.regex(warnings(resumed.stdout), /not migrated yet: dea2/);
    t.notRegex(warnings(resumed.stdout), /every node follows the core/);

    // The role started again: --resume checks dea2 again and the migration is done.
    t.is((await lab.kato('dea2', 'start dea')).code, 0);
    const finished = await runCli([...migrate, '--resume'], { env });
    t.is(finished.code, 0, finished.stdout.slice(-3000) + finished.stderr);
    t.regex(warnings(finished.stdout), /every node follows the core at 10\.78\.0\.50/);
    t.is(progress(work)!.nodes.dea2!.status, 'done');

    for (const n of NODES) {
      const info = JSON.parse((await lab.kato(n, 'info --json')).stdout) as { mbusip: string };
      t.is(info.mbusip, NEW_IP, `${n} still points at the old core`);
    }
    const stanza = (await lab.exec('core1', 'cat /etc/network/interfaces')).stdout;
    t.regex(stanza, new RegExp(`address ${NEW_IP.replace(/\./g, '\\.')}\\n`));
    t.regex(stanza, /dns-nameservers 10\.78\.0\.2 10\.78\.0\.3\n/, 'the DNS servers are kept');
    t.regex(stanza, /dns-search lab\.test\n/, 'the search domain is kept');
    const seen = new Set(await namesThroughLb(lab, 'lb1', ['router1', 'router2']));
    t.true(seen.has('router1') && seen.has('router2'), `HTTPS through the LB reached: ${[...seen].join(', ')}`);

    const rerun = await runCli(['migrate', ...inv, '--new-core-ip', NEW_IP, '--output', 'json'], { env });
    t.is(rerun.code, 0, warnings(rerun.stdout).slice(0, 3000));
    for (const [host, line] of Object.entries(recapOf(rerun)))
      t.is(line.changed, 0, `${host} changed on a rerun after success`);
  });
});
