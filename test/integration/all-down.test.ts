// The CLI when every host of a play went down: the run ends there, saying why in the output and in run:end.
import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recapOf, runCli } from './cli.js';

const dir = mkdtempSync(join(tmpdir(), 'stackplay-all-down-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

const inventory = join(dir, 'inventory.ini');
writeFileSync(
  inventory,
  '[first]\na ansible_connection=local\nb ansible_connection=local\n[second]\nc ansible_connection=local\n',
);
const playbook = join(dir, 'site.yml');
writeFileSync(
  playbook,
  [
    '- name: every host fails',
    '  hosts: first',
    '  gather_facts: false',
    '  tasks:',
    '    - command: "false"',
    '- name: never reached',
    '  hosts: second',
    '  gather_facts: false',
    '  tasks:',
    '    - debug: { msg: not reached }',
    '',
  ].join('\n'),
);
const why =
  'every host of play "every host fails" failed or was unreachable (a, b), so the rest of the playbook does not run (as in ansible-playbook)';

test('NDJSON: a warning says the run stopped and why, run:end carries it as stopped; the next play never starts', async (t) => {
  const r = await runCli(['run', playbook, '-i', inventory, '--output', 'json']);
  t.is(r.code, 2, r.stdout + r.stderr);
  t.deepEqual(
    r.events.flatMap((e) => (e.type === 'play:start' ? [e.name] : [])),
    ['every host fails'],
  );
  t.deepEqual(
    r.events.flatMap((e) => (e.type === 'warning' ? [e.message] : [])),
    [`run stopped: ${why}`],
  );
  const end = r.events.at(-1);
  t.is(end?.type === 'run:end' ? end.stopped : undefined, why);
  t.deepEqual(Object.keys(recapOf(r)), ['a', 'b']);
});

test('plain output: the warning comes before the recap, which lists only the hosts that ran', async (t) => {
  const r = await runCli(['run', playbook, '-i', inventory]);
  t.is(r.code, 2, r.stdout + r.stderr);
  t.regex(
    r.stdout,
    new RegExp(
      `\\[WARNING\\] run stopped: ${why.replace(/[()]/g, '\\$&')}\\n\\nRECAP\\na : [^\\n]*\\nb : [^\\n]*\\n?$`,
    ),
  );
  t.notRegex(r.stdout, /never reached|^c :/m);
});
