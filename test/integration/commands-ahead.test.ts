// Commands sent ahead on real lab nodes: a host that runs alone sends the commands of the tasks after the current one with it, and nothing changes but the round trips.
import test from 'ava';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labPaths } from '../../src/lab/state.js';
import type { RunEvent } from '../../src/report/events.js';
import { labSkipReason, withLab, type TestLab } from '../helpers/lab.js';
import { recapOf, runCli, startCli, tripsOf, type CliResult } from './cli.js';

const skip = labSkipReason();
const labTest = skip ? test.skip : test.serial;
if (skip) test('commands ahead (skipped: needs the lab)', (t) => t.pass(skip));

const ends = (r: CliResult) =>
  r.events
    .filter((e): e is Extract<RunEvent, { type: 'host:end' }> => e.type === 'host:end')
    .map((e) => `${e.host}:${e.task.name}:${e.status}`);

const play = (dir: string, name: string, text: string): string => {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
};

const run = (lab: TestLab, playbook: string, ...more: string[]) =>
  runCli(['run', playbook, '-i', labPaths(lab.dir).inventory, '--output', 'json', ...more]);

/** Ten commands, then five copies: on one host, the rerun is one round trip beyond connecting. */
const tenThenFive = (hosts: string) => {
  const tasks: string[] = [];
  for (let i = 0; i < 10; i++)
    tasks.push(
      `  - name: step ${i}\n    shell: echo ${i} >> /home/stackato/ca-log && test "$(wc -l < /home/stackato/ca-log)" -ge 1\n    changed_when: false`,
    );
  for (let i = 0; i < 5; i++)
    tasks.push(
      `  - name: copy ${i}\n    copy: { dest: "/home/stackato/ca-copy-${i}", content: "copy ${i} of {{ inventory_hostname }}\\n", mode: "0640" }`,
    );
  return `- hosts: ${hosts}\n  tasks:\n${tasks.join('\n')}\n`;
};

labTest(
  'alone on its host (or under strategy free), a run of commands goes in one round trip, in order; in lock-step with another host it does not',
  (t) =>
    withLab(t, { nodes: 2 }, async (lab) => {
      const dir = mkdtempSync(join(tmpdir(), 'stackplay-ca-'));
      const [a, b] = lab.state.nodes.map((n) => n.name) as [string, string];
      const alone = play(dir, 'alone.yml', tenThenFive(a));
      const first = await run(lab, alone);
      t.is(first.code, 0, first.stderr);
      const rerun = await run(lab, alone);
      t.is(rerun.code, 0, rerun.stderr);
      t.is(recapOf(first)[a]!.changed, 5);
      t.is(recapOf(rerun)[a]!.changed, 0);
      t.is(recapOf(rerun)[a]!.ok, 15);
      t.log('round trips, one host', { first: tripsOf(first)[a], rerun: tripsOf(rerun)[a] });
      // The ten commands and the five copies' probes: one round trip (the rule of issue 17 allowed one per command).
      t.true(tripsOf(rerun)[a]! <= 2, `the rerun took ${tripsOf(rerun)[a]} round trips`);
      t.true(tripsOf(first)[a]! <= 2 + 5, `the first run took ${tripsOf(first)[a]} round trips (5 copies)`);
      const log = await lab.exec(a, 'cat /home/stackato/ca-log');
      t.is(log.stdout, `${[...Array(10).keys()].join('\n')}\n`.repeat(2), 'every command ran once a run, in order');

      // Two hosts in lock-step: each command waits for the other host's, one round trip each.
      const both = play(dir, 'both.yml', tenThenFive('all'));
      const locked = await run(lab, both);
      t.is(locked.code, 0, locked.stderr);
      for (const h of [a, b]) t.true(tripsOf(locked)[h]! >= 10, `${h}: ${tripsOf(locked)[h]} round trips in lock-step`);

      // Under strategy free no host waits for another: each sends its commands ahead.
      const free = play(
        dir,
        'free.yml',
        tenThenFive('all').replace('- hosts: all\n', '- hosts: all\n  strategy: free\n'),
      );
      const loose = await run(lab, free);
      t.is(loose.code, 0, loose.stderr);
      for (const h of [a, b]) {
        t.is(recapOf(loose)[h]!.ok, 15);
        t.true(tripsOf(loose)[h]! <= 2, `${h}: ${tripsOf(loose)[h]} round trips under free`);
      }
      // Play vars that read other hosts' vars: under free another host may set them meanwhile, so nothing goes ahead.
      const peers = play(
        dir,
        'peers.yml',
        tenThenFive('all').replace(
          '- hosts: all\n',
          '- hosts: all\n  strategy: free\n  vars: { peer: "{{ hostvars[inventory_hostname].inventory_hostname }}" }\n',
        ),
      );
      const careful = await run(lab, peers);
      t.is(careful.code, 0, careful.stderr);
      for (const h of [a, b]) t.true(tripsOf(careful)[h]! >= 10, `${h}: ${tripsOf(careful)[h]} round trips (hostvars)`);
      const logs = await Promise.all([a, b].map((h) => lab.exec(h, 'cat /home/stackato/ca-log')));
      t.is(
        logs[0]!.stdout,
        `${[...Array(10).keys()].join('\n')}\n`.repeat(5),
        'every command ran once a run, in order',
      );
      t.is(logs[1]!.stdout, `${[...Array(10).keys()].join('\n')}\n`.repeat(3));
    }),
);

labTest(
  'a command that fails stops the ones sent after it; ignore_errors, when, tags and register behave as before',
  (t) =>
    withLab(t, { nodes: 1 }, async (lab) => {
      const dir = mkdtempSync(join(tmpdir(), 'stackplay-ca-'));
      const [a] = lab.state.nodes.map((n) => n.name) as [string];
      const stops = play(
        dir,
        'stops.yml',
        `- hosts: all
  tasks:
  - { name: one, command: touch /home/stackato/ca-one }
  - { name: two fails, command: "false" }
  - { name: three, command: touch /home/stackato/ca-three }
`,
      );
      const r1 = await run(lab, stops);
      t.is(r1.code, 2, r1.stderr);
      t.deepEqual(ends(r1), [`${a}:one:changed`, `${a}:two fails:failed`]);
      t.is((await lab.exec(a, 'test -e /home/stackato/ca-one && echo yes')).stdout, 'yes\n');
      t.is((await lab.exec(a, 'test -e /home/stackato/ca-three || echo absent')).stdout, 'absent\n', 'three never ran');

      const flows = play(
        dir,
        'flows.yml',
        `- hosts: all
  vars: { who: node }
  tasks:
  - { name: start, command: "true", changed_when: false }
  - { name: fails but ignored, command: "false", ignore_errors: true }
  - { name: runs after the ignored one, shell: "echo after >> /home/stackato/ca-flow" }
  - { name: skipped by when, shell: "echo never >> /home/stackato/ca-flow", when: who == 'other' }
  - { name: skipped by tag, shell: "echo tagged >> /home/stackato/ca-flow", tags: [never] }
  - { name: runs when true, shell: "echo when-{{ who }} >> /home/stackato/ca-flow", when: who == 'node' }
  - { name: registers, shell: "wc -l < /home/stackato/ca-flow", register: counted }
  - { name: reads the register, shell: "echo lines-{{ counted.stdout | trim }} >> /home/stackato/ca-flow" }
  - { name: environment, shell: "echo env-$CA_WORD >> /home/stackato/ca-flow", environment: { CA_WORD: word } }
`,
      );
      const r2 = await run(lab, flows);
      t.is(r2.code, 0, r2.stderr);
      t.deepEqual(ends(r2), [
        `${a}:start:ok`,
        `${a}:fails but ignored:failed`,
        `${a}:runs after the ignored one:changed`,
        `${a}:skipped by when:skipped`,
        `${a}:runs when true:changed`,
        `${a}:registers:changed`,
        `${a}:reads the register:changed`,
        `${a}:environment:changed`,
      ]);
      t.is((await lab.exec(a, 'cat /home/stackato/ca-flow')).stdout, 'after\nwhen-node\nlines-2\nenv-word\n');
    }),
);

labTest('an interrupt stops the commands sent ahead that have not started', (t) =>
  withLab(t, { nodes: 1 }, async (lab) => {
    const dir = mkdtempSync(join(tmpdir(), 'stackplay-ca-'));
    const [a] = lab.state.nodes.map((n) => n.name) as [string];
    const playbook = play(
      dir,
      'interrupt.yml',
      `- hosts: all
  tasks:
  - { name: waits, shell: "touch /home/stackato/ca-waiting; while [ ! -e /home/stackato/ca-go ]; do sleep 0.1; done" }
  - { name: must not start, command: touch /home/stackato/ca-late-1 }
  - { name: nor this, command: touch /home/stackato/ca-late-2 }
`,
    );
    const cli = startCli(t, ['run', playbook, '-i', labPaths(lab.dir).inventory, '--output', 'json']);
    // Event-driven, bounded by the CLI's own deadline: each wait ends when the node shows the next state.
    const waitFor = async (check: string, what: string) => {
      while ((await lab.exec(a, `${check} && echo yes || true`)).stdout !== 'yes\n') {
        if (cli.ended())
          throw new Error(`the CLI ended before ${what}\n${cli.result().stdout}\n${cli.result().stderr}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    };
    await waitFor('test -e /home/stackato/ca-waiting', 'the first command started');
    cli.kill('SIGINT');
    // The command shell's folder gets its stop file (through a channel of its own) while the first command still runs.
    await waitFor('ls /tmp/*/stop >/dev/null 2>&1', 'the stop file was left');
    await lab.exec(a, 'touch /home/stackato/ca-go');
    const code = await cli.done;
    t.is(code, 99, cli.result().stdout);
    t.deepEqual(ends(cli.result()), [`${a}:waits:changed`], 'the run stopped after the running task');
    const late = await lab.exec(a, 'ls /home/stackato | grep -c ca-late || true');
    t.is(late.stdout.trim(), '0', 'nothing sent ahead ran after the interrupt');
  }),
);
