// The load balancer's nginx failing to start (root): another service already holds port 443 on the node, and
// kato's error carries nginx's own words from nginx's own error log; once the port is free, `kato start` brings
// nginx up and `kato restart` ends its root master through sudo before it starts a new one.
import test from 'ava';
import { join } from 'node:path';
import { endProcesses, isAlive, spawnDetached, type ProcRecord } from '../../src/lab/proc.js';
import { labSkipReason, TEST_SUBNET, withLab, type TestLab } from '../helpers/lab.js';
import { waitUntil } from '../helpers/wait.js';

const skip = labSkipReason();
const serial = skip ? test.serial.skip : test.serial;
if (skip)
  test('lab nginx start tests skipped', (t) => {
    t.log(`skipped: ${skip}`);
    t.pass();
  });

/** The listeners on TCP port 443 inside the node, with the processes that hold them. */
const listenersOn443 = async (lab: TestLab, node: string): Promise<string> =>
  (await lab.exec(node, "ss -Hltnp 'sport = :443'")).stdout.trim();

/** kato's record of the nginx master (PIDs are the host's: a lab node has no PID namespace). */
const nginxRecord = async (lab: TestLab): Promise<ProcRecord> =>
  JSON.parse((await lab.exec('lb1', 'cat /var/stackato/lab/run/nginx.pid')).stdout) as ProcRecord;

serial(
  'nginx that cannot bind 443: kato says why from nginx-lb-error.log; with the port free start and restart work',
  (t) =>
    withLab(t, { nodes: 1, names: ['lb1'] }, async (lab) => {
      // Another web server already on the node's port 443, as an image with its own HTTPS service would have.
      const other = spawnDetached(
        'ip',
        ['netns', 'exec', lab.namespace('lb1'), 'socat', 'TCP-LISTEN:443,reuseaddr,fork', 'SYSTEM:true'],
        join(lab.dir, 'other-443.log'),
        'another service on 443',
      );
      t.teardown(async () => {
        await endProcesses([other]);
      });
      t.true(await waitUntil(async () => (await listenersOn443(lab, 'lb1')) !== ''), 'the other service listens');

      const setup = `node setup load_balancer ${TEST_SUBNET}.99 --force`;
      const failed = await lab.kato('lb1', setup);
      t.is(failed.code, 1, failed.stdout);
      t.regex(failed.stderr, /^Error: nginx did not start \(sudo nginx exited 1\):\n/);
      t.regex(failed.stderr, /\[emerg\] \d+#\d+: bind\(\) to 0\.0\.0\.0:443 failed \(98: Address already in use\)/);
      t.regex(failed.stderr, /\n {2}see \/s\/logs\/nginx-lb-error\.log\n$/);
      const shown = failed.stderr.trimEnd().split('\n').slice(1, -1);
      const logged = (await lab.exec('lb1', 'cat /s/logs/nginx-lb-error.log')).stdout.split('\n');
      t.true(shown.length > 0);
      t.deepEqual(
        shown.filter((l) => !logged.includes(l)),
        [],
        'every line shown is one nginx wrote to its error log',
      );
      const list = await lab.kato('lb1', 'process list');
      t.regex(list.stdout, /^nginx +FATAL$/m, list.stdout);

      // kato.md 2.11: `kato start` is the fix for a FATAL process; `kato restart` stops the root master through sudo.
      await endProcesses([other]);
      t.true(await waitUntil(async () => (await listenersOn443(lab, 'lb1')) === ''), 'port 443 is free');
      const start = await lab.kato('lb1', 'start');
      t.is(start.code, 0, start.stderr);
      t.regex(await listenersOn443(lab, 'lb1'), /"nginx"/);
      t.regex((await lab.kato('lb1', 'process list')).stdout, /^nginx +RUNNING$/m);
      const first = await nginxRecord(lab);
      const restart = await lab.kato('lb1', 'restart');
      t.is(restart.code, 0, restart.stderr);
      const second = await nginxRecord(lab);
      t.false(isAlive(first), 'the old master is gone');
      t.true(isAlive(second), 'a new master runs');
      t.not(second.pid, first.pid);
    }),
);
