// `lab stop` and `lab reboot` (root): a stopped node is down while the others answer; a rebooted node drops
// the controller's connection, keeps its host key, hostname and files, and runs its kato roles again.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { LabError, labPaths, labReboot, labStatus, labStop, labUp } from '../../src/commands/lab.js';
import { sh } from '../../src/command.js';
import { UnreachableError } from '../../src/errors.js';
import { loadInventories } from '../../src/inventory/load.js';
import { resolveHost } from '../../src/inventory/resolve.js';
import { namespacePids } from '../../src/lab/netns.js';
import { isAlive, recordOf } from '../../src/lab/proc.js';
import { run } from '../../src/lab/run.js';
import { readState } from '../../src/lab/state.js';
import { katoProcesses } from '../../src/lab/teardown.js';
import { connectHost } from '../../src/transport/connect.js';
import type { SshTransport } from '../../src/transport/ssh.js';
import { labSkipReason, TEST_SUBNET, withLab, type TestLab } from '../helpers/lab.js';
import { BIN, CLI_DEADLINE_MS } from '../integration/cli.js';

const skip = labSkipReason();
const serial = skip ? test.serial.skip : test.serial;
if (skip)
  test('lab power tests skipped', (t) => {
    t.log(`skipped: ${skip}`);
    t.pass();
  });

const cli = (...args: string[]) => run(process.execPath, [BIN, ...args], { timeoutMs: CLI_DEADLINE_MS });

/** Whether the node's sshd accepts TCP, asked from inside the node's network namespace (no holder needed). */
const sshdAnswers = async (lab: TestLab, node: string): Promise<boolean> =>
  (
    await run(
      'ip',
      [
        'netns',
        'exec',
        lab.namespace(node),
        'socat',
        '-u',
        'OPEN:/dev/null',
        `TCP:${lab.address(node)}:22,connect-timeout=10`,
      ],
      { timeoutMs: 60_000 },
    )
  ).code === 0;

/** An ssh2 connection as a playbook run makes it: the lab's inventory, strict host key checking, no ~/.ssh. */
async function connect(lab: TestLab, node: string): Promise<SshTransport> {
  const { inventory, diagnostics } = loadInventories([labPaths(lab.dir).inventory]);
  if (diagnostics.length) throw new Error(diagnostics.map((d) => d.message).join('; '));
  return (await connectHost(resolveHost(inventory, node), {
    hostKeyChecking: 'strict',
    connectionDefaults: { sshConfigFile: null },
  })) as SshTransport;
}

serial(
  'lab stop: the node is down (no sshd, no process, no exec) but keeps its network; others answer; status says stopped',
  (t) =>
    withLab(t, { nodes: 2 }, async (lab) => {
      const conn = await connect(lab, 'router1');
      t.teardown(() => conn.close());
      const bg = await lab.exec('router1', 'setsid sleep 1000 </dev/null >/dev/null 2>&1 & echo $!');
      const sleeper = recordOf(Number(bg.stdout.trim()), 'sleep 1000 on router1');
      t.true(isAlive(sleeper), bg.stderr);
      const logs: string[] = [];
      const stopped = await labStop({ dir: lab.dir, nodes: ['router1'], log: (l) => logs.push(l) });
      t.false(isAlive(sleeper), 'every process of the node ends, not only the recorded ones');
      await t.throwsAsync(
        conn.exec(sh`true`),
        { instanceOf: UnreachableError, message: /lost/ },
        "the controller's connection drops",
      );
      const rec = stopped.nodes.find((n) => n.name === 'router1')!;
      t.false(await sshdAnswers(lab, 'router1'), "the stopped node's sshd must not answer");
      t.not((await lab.ssh('router1', 'true')).code, 0);
      await t.throwsAsync(lab.exec('router1', 'true'), { instanceOf: LabError, message: /router1 is down/ });
      t.deepEqual(await namespacePids(lab.namespace('router1')), [], 'no process left in the node');
      const addr = await run('ip', ['-n', lab.namespace('router1'), '-4', '-o', 'addr', 'show', 'dev', 'eth0']);
      t.regex(
        addr.stdout,
        new RegExp(` ${lab.address('router1').replace(/\./g, '\\.')}/24 `),
        'the NIC keeps its address',
      );

      t.true(await sshdAnswers(lab, 'core1'));
      t.is((await lab.ssh('core1', 'hostname')).stdout.trim(), 'core1');

      const saved = readState(lab.dir)!.nodes.find((n) => n.name === 'router1')!;
      t.deepEqual([saved.holder, saved.sshd, saved.stopped], [undefined, undefined, true]);
      t.deepEqual([rec.holder, rec.sshd], [undefined, undefined]);
      const status = await labStatus({ dir: lab.dir });
      t.deepEqual(
        status.nodes.map((n) => [n.name, n.state, n.holder, n.sshd]),
        [
          ['core1', 'up', 'up', 'up'],
          ['router1', 'stopped', 'down', 'down'],
        ],
      );
      t.regex(status.text, /1\/2 healthy \(1 stopped\)/);
      t.regex(status.text, /^router1 .* stopped +down +down/m);

      // Stopping a stopped node is fine; unknown names are refused before anything is stopped.
      await labStop({ dir: lab.dir, nodes: ['router1'], log: (l) => logs.push(l) });
      t.true(logs.includes('lab: router1 was already stopped'), logs.join('\n'));
      await t.throwsAsync(labStop({ dir: lab.dir, nodes: ['core1', 'nosuchnode'] }), {
        instanceOf: LabError,
        message: /no node "nosuchnode" in the lab .*\(nodes: core1, router1\)/,
      });
      t.true(await sshdAnswers(lab, 'core1'), 'a refused stop stops nothing');

      const bad = await cli('lab', 'reboot', 'nosuchnode', '--dir', lab.dir);
      t.is(bad.code, 1, bad.stderr);
      t.regex(bad.stderr, /error\[E_LAB\] no node "nosuchnode" in the lab .*\(nodes: core1, router1\)/);
      const none = await cli('lab', 'stop', '--dir', lab.dir);
      t.is(none.code, 5, none.stderr);
      t.regex(none.stderr, /error\[E_USAGE\] lab stop needs one or more node names/);
      const shown = await cli('lab', 'status', '--dir', lab.dir);
      t.regex(shown.stdout, /^router1 .* stopped /m);

      // `lab up` repairs everything, a stopped node included.
      await labUp({ nodes: 2, katoVersion: '3.6.2', dir: lab.dir, prefix: lab.prefix, subnet: TEST_SUBNET });
      t.deepEqual(
        (await labStatus({ dir: lab.dir })).nodes.map((n) => n.state),
        ['up', 'up'],
      );
      t.is((await lab.ssh('router1', 'hostname')).stdout.trim(), 'router1');
    }),
);

serial(
  "lab reboot of a core: the controller's connection is lost, the host key, hostname and files stay, kato roles run again, old processes are gone",
  (t) =>
    withLab(t, { nodes: 2 }, async (lab) => {
      const setup = await lab.kato('core1', 'node setup core api.lab.test');
      t.is(setup.code, 0, setup.stderr);
      // Setup takes a while and the roles start after it; a node attaches once the core is ready.
      t.is((await lab.kato('core1', 'process ready --block 120 all')).stdout, 'READY\n');
      t.is((await lab.kato('router1', `node attach -e router ${lab.address('core1')}`)).code, 0);
      const nodeDir = labPaths(lab.dir).node('core1');
      const rolesBefore = katoProcesses(nodeDir);
      t.true(rolesBefore.length >= 2 && rolesBefore.every(isAlive), rolesBefore.map((p) => p.what).join(', '));
      t.is((await lab.exec('core1', 'echo kept > /home/stackato/disk.txt')).code, 0);
      const knownHosts = readFileSync(labPaths(lab.dir).knownHosts, 'utf8');
      const router1 = readState(lab.dir)!.nodes.find((n) => n.name === 'router1')!;

      const old = await connect(lab, 'core1');
      t.teardown(() => old.close());
      const bg = await old.exec(sh`setsid sleep 1000 </dev/null >/dev/null 2>&1 & echo $!`);
      t.is(bg.code, 0, bg.stderr);
      const sleeper = recordOf(Number(bg.stdout.trim()), 'sleep 1000 started over ssh');
      t.true(isAlive(sleeper));
      const pending = old.exec(sh`sleep 1000`);
      pending.catch(() => {
        /* asserted below */
      });

      const logs: string[] = [];
      await labReboot({ dir: lab.dir, nodes: ['core1'], log: (l) => logs.push(l) });
      t.true(
        logs.some((l) => /core1 restarted; kato start ok/.test(l)),
        logs.join('\n'),
      );

      await t.throwsAsync(
        pending,
        { instanceOf: UnreachableError, message: /lost/ },
        'a command running over the old connection ends as lost',
      );
      t.truthy(old.lostReason?.(), 'the old connection knows it was lost');
      t.false(isAlive(sleeper), 'processes from before the reboot are gone');
      t.deepEqual(
        rolesBefore.filter(isAlive).map((p) => p.what),
        [],
      );

      const fresh = await connect(lab, 'core1');
      t.teardown(() => fresh.close());
      t.deepEqual(fresh.hostKey, old.hostKey, 'same host key');
      t.is(readFileSync(labPaths(lab.dir).knownHosts, 'utf8'), knownHosts);
      const seen = await fresh.exec(sh`hostname; cat /home/stackato/disk.txt`);
      t.is(seen.stdout, 'core1\nkept\n', seen.stderr);
      const viaSsh = await lab.ssh('core1', 'hostname');
      t.is(viaSsh.code, 0, `the system ssh with StrictHostKeyChecking=yes: ${viaSsh.stderr}`);

      const rolesAfter = katoProcesses(nodeDir);
      t.deepEqual(rolesAfter.map((p) => p.what).sort(), rolesBefore.map((p) => p.what).sort());
      t.true(rolesAfter.every(isAlive), 'kato start brought every role process back');
      t.false(rolesAfter.some((a) => rolesBefore.some((b) => b.pid === a.pid && b.start === a.start)));
      const status = await lab.kato('core1', 'status');
      t.is(status.code, 0, status.stderr);
      t.notRegex(status.stdout, /FATAL|STOPPED/);

      const after = readState(lab.dir)!.nodes.find((n) => n.name === 'router1')!;
      t.deepEqual(after.holder, router1.holder, 'other nodes are not touched');
      t.true(isAlive(after.holder) && isAlive(after.sshd));
      t.deepEqual(
        (await labStatus({ dir: lab.dir })).nodes.map((n) => n.state),
        ['up', 'up'],
      );
    }),
);
