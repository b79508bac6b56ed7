// Plans made ahead on real lab nodes: a first run's writes go, guarded, in one round trip; a guard that differs re-plans; a failure stops the rest.
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
if (skip) test('plans ahead (skipped: needs the lab)', (t) => t.pass(skip));

const run = (lab: TestLab, playbook: string, ...more: string[]) =>
  runCli(['run', playbook, '-i', labPaths(lab.dir).inventory, '--output', 'json', ...more]);

type HostEnd = Extract<RunEvent, { type: 'host:end' }>;
type HostPlan = Extract<RunEvent, { type: 'host:plan' }>;
const ends = (r: { events: RunEvent[] }, task: string): HostEnd[] =>
  r.events.filter((e): e is HostEnd => e.type === 'host:end' && e.task.name === task);
const planOf = (r: { events: RunEvent[] }, task: string, host: string): string[] =>
  r.events
    .filter((e): e is HostPlan => e.type === 'host:plan' && e.task.name === task && e.host === host)
    .flatMap((e) => e.plan.steps.map((s) => s.title));

/** A play of `tasks` under `strategy` (free: each host walks alone, so a task may carry the ones after it). */
function playbook(dir: string, tasks: string, strategy = 'free'): string {
  const file = join(dir, `plans-${strategy}.yml`);
  writeFileSync(
    file,
    `- hosts: all\n  strategy: ${strategy}\n  vars: { n: 7, seen: { changed: initial } }\n  tasks:\n${tasks}`,
  );
  return file;
}

/** Paths under the login's home, apart for each host (nodes share nothing there, but the engine cannot know it). */
const at = (name: string) => `/home/stackato/pa-{{ inventory_hostname }}-${name}`;

labTest('ten declarative tasks: a first run writes them all in the round trip of the first one', (t) =>
  withLab(t, { nodes: 2 }, async (lab) => {
    const dir = mkdtempSync(join(tmpdir(), 'stackplay-pa-'));
    writeFileSync(join(dir, 'motd.j2'), 'Host {{ inventory_hostname }}, number {{ n }}\n');
    const tasks = ['  - name: look\n    command: cat /etc/hostname\n    changed_when: false'];
    for (let i = 0; i < 10; i++) {
      const kind = i % 3;
      if (kind === 0)
        tasks.push(
          `  - name: copy ${i}\n    copy: { dest: "${at(`copy-${i}`)}", content: "copy ${i} of {{ inventory_hostname }}\\n", mode: "0640" }`,
        );
      else if (kind === 1)
        tasks.push(
          `  - name: template ${i}\n    template: { src: motd.j2, dest: "${at(`template-${i}`)}", mode: "0644" }`,
        );
      else tasks.push(`  - name: folder ${i}\n    file: { path: "${at(`dir-${i}`)}", state: directory, mode: "0750" }`);
    }
    const book = playbook(dir, `${tasks.join('\n')}\n`);
    const first = await run(lab, book);
    t.is(first.code, 0, first.stderr);
    const rerun = await run(lab, book);
    t.is(rerun.code, 0, rerun.stderr);
    const check = await run(lab, book, '--check');
    t.is(check.code, 0, check.stderr);
    t.log('round trips per host', { first: tripsOf(first), rerun: tripsOf(rerun) });
    for (const n of lab.state.nodes) {
      t.is(recapOf(first)[n.name]!.changed, 10, `${n.name}: the first run changes every declarative task`);
      t.is(recapOf(rerun)[n.name]!.changed, 0, `${n.name}: the rerun finds them done (their re-plans held)`);
      t.is(recapOf(check)[n.name]!.changed, 0);
      // The command's round trip carries the probes; the first copy's carries every write after it.
      t.true(tripsOf(first)[n.name]! <= 2, `${n.name}: the first run took ${tripsOf(first)[n.name]} round trips`);
      t.deepEqual(planOf(first, 'template 4', n.name), [`create /home/stackato/pa-${n.name}-template-4`]);
      const r = await lab.exec(
        n.name,
        `cat /home/stackato/pa-${n.name}-template-7 /home/stackato/pa-${n.name}-copy-9; stat -c %a /home/stackato/pa-${n.name}-copy-3 /home/stackato/pa-${n.name}-dir-8`,
      );
      t.is(r.stdout, `Host ${n.name}, number 7\ncopy 9 of ${n.name}\n640\n750\n`, 'what the tasks wrote is there');
    }
  }),
);

labTest('a plan made ahead whose probe answers otherwise by its turn is made again from the new answer', (t) =>
  withLab(t, { nodes: 1 }, async (lab) => {
    const dir = mkdtempSync(join(tmpdir(), 'stackplay-pa-'));
    const host = lab.state.nodes[0]!.name;
    const book = playbook(
      dir,
      `  - name: one
    copy: { dest: "${at('same')}", content: "one\\n" }
  - name: two
    copy: { dest: "${at('same')}", content: "two\\n" }
  - name: other
    copy: { dest: "${at('other')}", content: "other\\n" }
`,
    );
    const first = await run(lab, book);
    t.is(first.code, 0, first.stderr);
    t.is(recapOf(first)[host]!.changed, 3);
    // Planned ahead from the answer before "one" ran (no file: create); by its turn the file was there: update.
    t.deepEqual(planOf(first, 'two', host), [`update /home/stackato/pa-${host}-same`, 'keep owner stackato:stackato']);
    const r = await lab.exec(host, `cat /home/stackato/pa-${host}-same /home/stackato/pa-${host}-other`);
    t.is(r.stdout, 'two\nother\n');
  }),
);

labTest(
  'a write that fails stops the plans after it, with the message it has without them; ignore_errors goes on',
  (t) =>
    withLab(t, { nodes: 2 }, async (lab) => {
      const dir = mkdtempSync(join(tmpdir(), 'stackplay-pa-'));
      const tasks = (ignore: boolean) => `  - name: before
    copy: { dest: "${at('before')}", content: "x\\n" }
  - name: nowhere
    copy: { dest: "${at('missing')}/f", content: "x\\n" }${ignore ? '\n    ignore_errors: true' : ''}
  - name: after
    copy: { dest: "${at('after')}", content: "x\\n" }
`;
      const hosts = lab.state.nodes.map((n) => n.name);
      const free = await run(lab, playbook(dir, tasks(false)));
      t.is(free.code, 2, free.stderr);
      // Under linear with two hosts nothing goes ahead: the reference for the message.
      await lab.exec(hosts[0]!, 'rm -f /home/stackato/pa-*');
      await lab.exec(hosts[1]!, 'rm -f /home/stackato/pa-*');
      const linear = await run(lab, playbook(dir, tasks(false), 'linear'));
      t.is(linear.code, 2, linear.stderr);
      const shown = (r: typeof free) =>
        ends(r, 'nowhere')
          .map(
            (e) =>
              `${e.host} ${e.status} ${e.error?.code} ${e.message?.replace(/stackplay-[0-9a-f]+/g, 'stackplay-X')}`,
          )
          .sort();
      t.deepEqual(shown(free), shown(linear), 'the same failure, the same words');
      t.regex(shown(free)[0]!, /failed E_WRITE cannot write/);
      for (const h of hosts) {
        t.is(recapOf(free)[h]!.failed, 1);
        t.deepEqual(ends(free, 'after'), [], 'nothing after the failure ran');
        const r = await lab.exec(h, `ls /home/stackato/ | grep '^pa-${h}-' || true`);
        t.is(r.stdout, `pa-${h}-before\n`, `${h}: the write planned after the failing one never reached the host`);
      }
      const ignored = await run(lab, playbook(dir, tasks(true)));
      t.is(ignored.code, 0, ignored.stderr);
      for (const h of hosts) {
        t.like(recapOf(ignored)[h], { failed: 0, ignored: 1, changed: 1 });
        const r = await lab.exec(h, `cat /home/stackato/pa-${h}-after`);
        t.is(r.stdout, 'x\n', `${h}: with ignore_errors, the next task is planned and written in its turn`);
      }
    }),
);

labTest('a folder made in the chain holds the file the next task writes in it; a register ends the chain', (t) =>
  withLab(t, { nodes: 1 }, async (lab) => {
    const dir = mkdtempSync(join(tmpdir(), 'stackplay-pa-'));
    const host = lab.state.nodes[0]!.name;
    const book = playbook(
      dir,
      `  - name: folder
    file: { path: "${at('d')}", state: directory }
  - name: inside
    copy: { dest: "${at('d')}/f", content: "in\\n" }
  - name: seen
    copy: { dest: "${at('seen')}", content: "seen\\n" }
    register: seen
  - name: reads it
    copy: { dest: "${at('said')}", content: "{{ seen.changed }}\\n" }
`,
    );
    const first = await run(lab, book);
    t.is(first.code, 0, first.stderr);
    t.is(recapOf(first)[host]!.changed, 4);
    const r = await lab.exec(host, `cat /home/stackato/pa-${host}-d/f /home/stackato/pa-${host}-said`);
    t.is(r.stdout, 'in\nTrue\n', 'the registered result was the one the task had when the next one was planned');
  }),
);

labTest(
  'with become and sudo that needs no password, root-owned files are planned ahead and written in one round trip',
  (t) =>
    withLab(t, { nodes: 1, sudoNopasswd: true }, async (lab) => {
      const dir = mkdtempSync(join(tmpdir(), 'stackplay-pa-'));
      const host = lab.state.nodes[0]!.name;
      // As automation runs it: NOPASSWD sudo and no become password in the inventory.
      const inventory = join(dir, 'nopasswd.ini');
      writeFileSync(
        inventory,
        readFileSync(labPaths(lab.dir).inventory, 'utf8').replace(/^ansible_become_password=.*$/m, ''),
      );
      const tasks = ['  - name: look\n    command: cat /etc/hostname\n    changed_when: false'];
      for (let i = 0; i < 5; i++)
        tasks.push(`  - name: conf ${i}\n    copy: { dest: /etc/pa-conf-${i}, content: "conf ${i}\\n", mode: "0640" }`);
      const book = join(dir, 'become.yml');
      writeFileSync(book, `- hosts: all\n  become: true\n  tasks:\n${tasks.join('\n')}\n`);
      const first = await runCli(['run', book, '-i', inventory, '--output', 'json']);
      const failures = first.events.filter((e) => e.type === 'host:end' && e.status === 'failed');
      t.is(first.code, 0, `${first.stderr}\n${JSON.stringify(failures)}`);
      const rerun = await runCli(['run', book, '-i', inventory, '--output', 'json']);
      t.is(rerun.code, 0, rerun.stderr);
      t.is(recapOf(first)[host]!.changed, 5);
      t.is(recapOf(rerun)[host]!.changed, 0, 'each re-plan held: the files are as planned');
      t.true(tripsOf(first)[host]! <= 2, `the first run took ${tripsOf(first)[host]} round trips`);
      const r = await lab.exec(host, 'stat -c %U:%G:%a /etc/pa-conf-0 /etc/pa-conf-4; cat /etc/pa-conf-4');
      t.is(r.stdout, 'root:root:640\nroot:root:640\nconf 4\n');
    }),
);
