// Fault on the lab: a node rebooted (or powered off) between two tasks while the others still work.
import test, { type ExecutionContext } from 'ava';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { labReboot, labStop } from '../../src/commands/lab.js';
import { labSkipReason, withLab, type TestLab } from '../helpers/lab.js';
import { recapOf, runCli, startCli, until, type RunningCli } from '../integration/cli.js';
import { labInventory, nodeRoot } from './lab-faults.js';

const skip = labSkipReason();
const it = skip ? test.serial.skip : test.serial;
if (skip)
  test('reboot tests need the lab', (t) => {
    t.log(`skipped: ${skip}`);
    t.pass();
  });

const NODES = ['core1', 'router1', 'router2'];
const B = 'router1';
const OTHERS = NODES.filter((n) => n !== B);

/** Task 1 on all, task 2 (a gate) on the others only, so B is idle between its two tasks; task 3 on all. */
function writePlaybook(lab: TestLab): string {
  const playbook = join(lab.dir, 'reboot.yml');
  writeFileSync(
    playbook,
    `
- hosts: lab
  become: true
  tasks:
    - name: first file
      copy: { dest: /srv/one.txt, content: "one {{ inventory_hostname }}\\n" }
    - name: wait until the test opens the gate
      shell: "while [ ! -f /tmp/go ]; do sleep 0.2; done"
      changed_when: false
      when: inventory_hostname != '${B}'
    - name: third file
      copy: { dest: /srv/three.txt, content: "three {{ inventory_hostname }}\\n" }
`,
  );
  return playbook;
}

/** Starts the run and returns once every host has finished task 1 (task 2 started). */
async function runUntilGate(
  t: ExecutionContext,
  lab: TestLab,
  playbook: string,
): Promise<{ cli: RunningCli; inventory: string }> {
  const inventory = labInventory(lab);
  const cli = startCli(t, ['run', playbook, '-i', inventory, '--output', 'json']);
  await until(
    () => cli.events().some((e) => e.type === 'task:start' && e.task.index === 1),
    cli,
    'task 1 is done everywhere',
  );
  t.deepEqual(
    cli
      .events()
      .filter((e) => e.type === 'host:end' && e.task.index === 0)
      .map((e) => e.type === 'host:end' && `${e.host}:${e.status}`)
      .sort(),
    NODES.map((n) => `${n}:changed`),
  );
  return { cli, inventory };
}

const openGates = () => (lab: TestLab) => {
  for (const n of OTHERS) writeFileSync(join(nodeRoot(lab, n), 'tmp', 'go'), '');
};

/** Every file of /srv on every node is whole: exactly what the playbook writes, and no temp file. */
function assertWhole(t: ExecutionContext, lab: TestLab, tasks: Record<string, string[]>): void {
  for (const n of NODES) {
    const srv = join(nodeRoot(lab, n), 'srv');
    t.deepEqual(
      readdirSync(srv).sort(),
      (tasks[n] ?? []).map((f) => `${f}.txt`),
      `${n}: files in /srv`,
    );
    for (const f of tasks[n] ?? []) t.is(readFileSync(join(srv, `${f}.txt`), 'utf8'), `${f} ${n}\n`);
  }
}

it('a node rebooted between tasks: the next task connects again (warning), exit 0, its task 3 changed, nothing half-written', (t) =>
  withLab(t, { nodes: 3 }, async (lab) => {
    const playbook = writePlaybook(lab);
    const { cli } = await runUntilGate(t, lab, playbook);
    await labReboot({ dir: lab.dir, nodes: [B] });
    openGates()(lab);
    const code = await cli.done;
    const r = cli.result();
    t.is(code, 0, r.stdout.slice(-3000) + r.stderr);
    const recap = recapOf(r);
    for (const n of NODES)
      t.deepEqual(
        [recap[n]!.changed, recap[n]!.failed, recap[n]!.unreachable],
        [2, 0, 0],
        `${n}: ${JSON.stringify(recap)}`,
      );
    const third = r.events.find((e) => e.type === 'host:end' && e.host === B && e.task.index === 2);
    t.is(third?.type === 'host:end' ? third.status : undefined, 'changed');
    const warnings = r.events.flatMap((e) => (e.type === 'warning' ? [e.message] : []));
    t.true(
      warnings.some((m) => m.includes(B) && /connecting again/.test(m)),
      `warnings: ${JSON.stringify(warnings)}`,
    );
    t.false(
      warnings.some((m) => OTHERS.some((o) => m.includes(o))),
      'no other node connected again',
    );
    assertWhole(t, lab, { core1: ['one', 'three'], router1: ['one', 'three'], router2: ['one', 'three'] });
  }));

it('a node powered off between tasks and not back for task 3: unreachable, exit 3, the others finish; after a reboot a rerun converges', (t) =>
  withLab(t, { nodes: 3 }, async (lab) => {
    const playbook = writePlaybook(lab);
    const { cli, inventory } = await runUntilGate(t, lab, playbook);
    await labStop({ dir: lab.dir, nodes: [B] });
    openGates()(lab);
    const code = await cli.done;
    const r = cli.result();
    t.is(code, 3, r.stdout.slice(-3000) + r.stderr);
    const recap = recapOf(r);
    t.deepEqual([recap[B]!.changed, recap[B]!.unreachable, recap[B]!.failed], [1, 1, 0], JSON.stringify(recap));
    for (const n of OTHERS)
      t.deepEqual(
        [recap[n]!.changed, recap[n]!.failed, recap[n]!.unreachable],
        [2, 0, 0],
        `${n}: ${JSON.stringify(recap)}`,
      );
    assertWhole(t, lab, { core1: ['one', 'three'], router1: ['one'], router2: ['one', 'three'] });

    await labReboot({ dir: lab.dir, nodes: [B] });
    const again = await runCli(['run', playbook, '-i', inventory, '--output', 'json']);
    t.is(again.code, 0, again.stdout.slice(-3000) + again.stderr);
    const recap2 = recapOf(again);
    t.is(recap2[B]!.changed, 1, JSON.stringify(recap2));
    for (const n of OTHERS) t.is(recap2[n]!.changed, 0, `${n}: ${JSON.stringify(recap2)}`);
    assertWhole(t, lab, { core1: ['one', 'three'], router1: ['one', 'three'], router2: ['one', 'three'] });
  }));
