// Round trips per host on real lab nodes: probes of the tasks ahead ride along (issue 17 point 1), and the order of effects holds.
import test from 'ava';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labPaths } from '../../src/lab/state.js';
import type { RunEvent } from '../../src/report/events.js';
import { labSkipReason, withLab, type TestLab } from '../helpers/lab.js';
import { recapOf, runCli, tripsOf } from './cli.js';

const skip = labSkipReason();
const labTest = skip ? test.skip : test.serial;
if (skip) test('round trips (skipped: needs the lab)', (t) => t.pass(skip));

/**
 * 20 tasks: 10 commands (changed_when: false) alternating with 10 declarative tasks, a mix of copy,
 * template and file, each of which changes on a first run and not after.
 */
function twentyTasks(dir: string): string {
  writeFileSync(join(dir, 'motd.j2'), 'Host {{ inventory_hostname }}, number {{ n }}\n');
  const tasks: string[] = [];
  for (let i = 0; i < 10; i++) {
    tasks.push(`  - name: look ${i}\n    command: cat /etc/hostname\n    changed_when: false`);
    const kind = i % 3;
    if (kind === 0)
      tasks.push(
        `  - name: copy ${i}\n    copy: { dest: /home/stackato/rt-copy-${i}, content: "copy ${i} of {{ inventory_hostname }}\\n", mode: "0640" }`,
      );
    else if (kind === 1)
      tasks.push(
        `  - name: template ${i}\n    template: { src: motd.j2, dest: /home/stackato/rt-template-${i}, mode: "0644" }`,
      );
    else
      tasks.push(
        `  - name: folder ${i}\n    file: { path: /home/stackato/rt-dir-${i}, state: directory, mode: "0750" }`,
      );
  }
  const playbook = join(dir, 'twenty.yml');
  writeFileSync(playbook, `- hosts: all\n  vars: { n: 7 }\n  tasks:\n${tasks.join('\n')}\n`);
  return playbook;
}

const run = (lab: TestLab, playbook: string, ...more: string[]) =>
  runCli(['run', playbook, '-i', labPaths(lab.dir).inventory, '--output', 'json', ...more]);

labTest('20 tasks: --check <= 3 round trips a host, rerun <= commands + 2, first run <= rerun + changes', (t) =>
  withLab(t, { nodes: 3 }, async (lab) => {
    const dir = mkdtempSync(join(tmpdir(), 'stackplay-rt-'));
    const playbook = twentyTasks(dir);
    const hosts = lab.state.nodes.map((n) => n.name);

    const check = await run(lab, playbook, '--check');
    t.is(check.code, 0, check.stderr);
    const first = await run(lab, playbook);
    t.is(first.code, 0, first.stderr);
    const rerun = await run(lab, playbook);
    t.is(rerun.code, 0, rerun.stderr);
    const again = await run(lab, playbook, '--check');
    t.is(again.code, 0, again.stderr);
    // The three templates now render otherwise: each updates its file (a write, then a chown: one round trip).
    const updated = await run(lab, playbook, '-e', 'n=8');
    t.is(updated.code, 0, updated.stderr);
    const trips = { check: tripsOf(check), first: tripsOf(first), rerun: tripsOf(rerun), updated: tripsOf(updated) };
    t.log('round trips per host', trips);

    for (const h of hosts) {
      t.is(recapOf(first)[h]!.changed, 10, `${h}: the first run changes every declarative task`);
      t.is(recapOf(rerun)[h]!.changed, 0, `${h}: the rerun changes nothing`);
      t.is(recapOf(again)[h]!.changed, 0, `${h}: --check after the run finds nothing to do`);
      t.true(tripsOf(check)[h]! <= 3, `${h}: --check took ${tripsOf(check)[h]} round trips`);
      t.true(tripsOf(again)[h]! <= 3, `${h}: --check after the run took ${tripsOf(again)[h]} round trips`);
      t.true(tripsOf(rerun)[h]! <= 10 + 2, `${h}: the rerun took ${tripsOf(rerun)[h]} round trips (10 commands)`);
      t.true(
        tripsOf(first)[h]! <= tripsOf(rerun)[h]! + 10,
        `${h}: the first run took ${tripsOf(first)[h]} round trips, the rerun ${tripsOf(rerun)[h]} (10 changes)`,
      );
      t.is(recapOf(updated)[h]!.changed, 3, `${h}: three templates change`);
      t.true(
        trips.updated[h]! <= trips.rerun[h]! + 3,
        `${h}: updating three files took ${trips.updated[h]} round trips, the rerun ${trips.rerun[h]}`,
      );
    }
    const r = await lab.exec(
      hosts[0]!,
      'cat /home/stackato/rt-template-1; stat -c %a /home/stackato/rt-copy-0 /home/stackato/rt-dir-2',
    );
    t.is(r.stdout, `Host ${hosts[0]}, number 8\n640\n750\n`, 'what the tasks wrote is there');
  }),
);

labTest('a command between two copies sees the first one’s file; the second one’s probe sees the command’s', (t) =>
  withLab(t, { nodes: 2 }, async (lab) => {
    const dir = mkdtempSync(join(tmpdir(), 'stackplay-rt-'));
    const playbook = join(dir, 'order.yml');
    writeFileSync(
      playbook,
      `- hosts: all
  tasks:
  - name: first copy
    copy: { dest: /home/stackato/rt-order, content: "wanted\\n" }
  - name: a pipe lookup runs on the controller when its task does, never ahead
    copy: { dest: /home/stackato/rt-pipe, content: "{{ lookup('pipe', 'echo x >> ${join(dir, 'pipe-runs')}; echo piped') }}" }
  - name: the command reads it, then changes it
    shell: cat /home/stackato/rt-order && echo other > /home/stackato/rt-order
    register: seen
  - name: second copy of the same file
    copy: { dest: /home/stackato/rt-order, content: "wanted\\n" }
    register: again
  - name: what each saw
    debug: { msg: "{{ seen.stdout }}|{{ again.changed }}" }
`,
    );
    for (const pass of ['first', 'rerun']) {
      const r = await run(lab, playbook);
      t.is(r.code, 0, r.stderr);
      const shown = r.events.filter(
        (e): e is Extract<RunEvent, { type: 'host:end' }> => e.type === 'host:end' && e.task.name === 'what each saw',
      );
      t.is(shown.length, 2);
      for (const e of shown) t.is(e.output, 'wanted|True', `${pass} run on ${e.host}`);
      for (const n of lab.state.nodes) {
        const content = await lab.exec(n.name, 'cat /home/stackato/rt-order');
        t.is(content.stdout, 'wanted\n', `${pass} run: the second copy put the content back on ${n.name}`);
      }
    }
    t.is(readFileSync(join(dir, 'pipe-runs'), 'utf8'), 'x\n'.repeat(4), 'the pipe ran once a host and run');
  }),
);

labTest('a file one host writes on storage another host shares is seen by that host’s next task', (t) =>
  withLab(t, { nodes: 1 }, async (lab) => {
    const dir = mkdtempSync(join(tmpdir(), 'stackplay-rt-'));
    // Two inventory names for one node: what one writes, the other sees, as on shared storage.
    const line = readFileSync(labPaths(lab.dir).inventory, 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`${lab.state.nodes[0]!.name} `))!;
    const inventory = join(dir, 'shared.ini');
    writeFileSync(inventory, `[pair]\n${line.replace(/^\S+/, 'writer')}\n${line.replace(/^\S+/, 'reader')}\n`);
    const playbook = join(dir, 'shared.yml');
    writeFileSync(
      playbook,
      `- hosts: pair
  tasks:
  - name: an opaque step, whose round trip carries the probes ahead
    command: "true"
    changed_when: false
  - name: the writer writes the shared file
    copy: { dest: /home/stackato/rt-shared, content: "same\\n", mode: "0644" }
    when: inventory_hostname == 'writer'
  - name: both want that content
    copy: { dest: /home/stackato/rt-shared, content: "same\\n", mode: "0644" }
`,
    );
    const r = await runCli(['run', playbook, '-i', inventory, '--output', 'json']);
    t.is(r.code, 0, r.stderr);
    const both = r.events.filter(
      (e): e is Extract<RunEvent, { type: 'host:end' }> =>
        e.type === 'host:end' && e.task.name === 'both want that content',
    );
    t.deepEqual(
      both.map((e) => `${e.host}:${e.status}`).sort(),
      ['reader:ok', 'writer:ok'],
      'the reader sees the file the writer wrote in the task before: nothing to change',
    );
  }),
);
