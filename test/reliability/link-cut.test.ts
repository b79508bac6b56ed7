// Fault on the lab: a node's link cut while a task runs there. Keepalive bounds the wait: unreachable (exit 3), the others finish, a rerun converges.
import test from 'ava';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { labSkipReason, withLab } from '../helpers/lab.js';
import { recapOf, runCli, startCli, until } from '../integration/cli.js';
import { cutLink, labInventory, nodeRoot } from './lab-faults.js';

const skip = labSkipReason();
const it = skip ? test.serial.skip : test.serial;
if (skip)
  test('link-cut tests need the lab', (t) => {
    t.log(`skipped: ${skip}`);
    t.pass();
  });

const NODES = ['core1', 'router1', 'router2'];
const CUT = 'router1';

it('a link cut mid-task: keepalive ends the wait, the node is unreachable (not failed), the others finish, exit 3; a rerun converges', (t) =>
  withLab(t, { nodes: 3 }, async (lab) => {
    const inventory = labInventory(lab, '-o ServerAliveInterval=1 -o ServerAliveCountMax=3');
    const playbook = join(lab.dir, 'gate.yml');
    writeFileSync(
      playbook,
      `
- hosts: lab
  become: true
  tasks:
    - name: wait until the test opens the gate
      shell: "touch /tmp/waiting; while [ ! -f /tmp/go ]; do sleep 0.2; done"
      changed_when: false
    - name: a file
      copy: { dest: /srv/out.txt, content: "hello {{ inventory_hostname }}\\n" }
`,
    );
    const waiting = (n: string) => existsSync(join(nodeRoot(lab, n), 'tmp', 'waiting'));
    const cli = startCli(t, ['run', playbook, '-i', inventory, '--output', 'json']);
    await until(() => NODES.every(waiting), cli, 'every node waits at the gate');

    const restore = await cutLink(t, lab, CUT);
    // The cut node's gate stays shut: only the keepalive can end its task; without it the run never ends.
    for (const n of NODES.filter((x) => x !== CUT)) writeFileSync(join(nodeRoot(lab, n), 'tmp', 'go'), '');
    const code = await cli.done;
    const r = cli.result();
    t.is(code, 3, r.stdout.slice(-3000) + r.stderr);
    const recap = recapOf(r);
    t.deepEqual([recap[CUT]!.unreachable, recap[CUT]!.failed], [1, 0], JSON.stringify(recap));
    for (const n of NODES.filter((x) => x !== CUT))
      t.deepEqual(
        [recap[n]!.changed, recap[n]!.failed, recap[n]!.unreachable],
        [1, 0, 0],
        `${n}: ${JSON.stringify(recap)}`,
      );
    const end = r.events.find((e) => e.type === 'host:end' && e.host === CUT && e.status === 'unreachable');
    t.truthy(end, r.stdout.slice(-3000));
    const message = end?.type === 'host:end' ? `${end.message ?? ''} ${end.error?.message ?? ''}` : '';
    t.regex(message, /lost/i, 'the message says the connection was lost');
    t.regex(message, /keepalive/i, 'and that the keepalive found it');
    for (const n of NODES.filter((x) => x !== CUT))
      t.is(readFileSync(join(nodeRoot(lab, n), 'srv', 'out.txt'), 'utf8'), `hello ${n}\n`);
    t.false(existsSync(join(nodeRoot(lab, CUT), 'srv', 'out.txt')), 'the cut node got no file');

    await restore();
    // The shell of the cut task still loops on the node (its sshd never saw the client go): let it end.
    writeFileSync(join(nodeRoot(lab, CUT), 'tmp', 'go'), '');
    const again = await runCli(['run', playbook, '-i', inventory, '--output', 'json']);
    t.is(again.code, 0, again.stdout.slice(-3000) + again.stderr);
    const recap2 = recapOf(again);
    t.is(recap2[CUT]!.changed, 1, JSON.stringify(recap2));
    for (const n of NODES.filter((x) => x !== CUT)) t.is(recap2[n]!.changed, 0, `${n}: ${JSON.stringify(recap2)}`);
    t.is(readFileSync(join(nodeRoot(lab, CUT), 'srv', 'out.txt'), 'utf8'), `hello ${CUT}\n`);
  }));
