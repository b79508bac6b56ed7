// Differential: the same Jinja2 expressions rendered by ansible (debug msg, connection local) and by stackplay.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { ensureAnsible } from '../../bench/ansible.js';
import { renderString } from '../../src/template/render.js';
import { diffCases, diffVars } from './ansible-cases.js';

interface Outcome {
  ok: boolean;
  value: unknown;
}

const ENV = { STACKPLAY_DIFF_ENV: 'from-env' };

/** Every case as one debug task of one playbook, results read from the json callback. */
function runAnsible(playbookPath: string): Map<string, Outcome> | string {
  const play = [
    {
      hosts: 'localhost',
      gather_facts: false,
      connection: 'local',
      vars: diffVars,
      tasks: diffCases.map(([name, tpl]) => ({ name, debug: { msg: tpl }, ignore_errors: true })),
    },
  ];
  writeFileSync(playbookPath, stringify(play));
  const r = spawnSync('ansible-playbook', ['-i', 'localhost,', playbookPath], {
    encoding: 'utf8',
    env: {
      ...process.env,
      ...ENV,
      ANSIBLE_STDOUT_CALLBACK: 'json',
      ANSIBLE_LOCALHOST_WARNING: 'false',
      ANSIBLE_INVENTORY_UNPARSED_WARNING: 'false',
      ANSIBLE_NOCOLOR: '1',
    },
    timeout: 300_000,
  });
  if (r.status !== 0) return `ansible-playbook exited ${r.status}: ${r.stderr.slice(-500)}`;
  const json = JSON.parse(r.stdout.slice(r.stdout.indexOf('{'))) as {
    plays: { tasks: { task: { name: string }; hosts: Record<string, { failed?: boolean; msg?: unknown }> }[] }[];
  };
  const out = new Map<string, Outcome>();
  for (const t of json.plays[0]!.tasks) {
    const h = t.hosts.localhost!;
    out.set(t.task.name, { ok: !h.failed, value: h.msg });
  }
  return out;
}

/** stackplay's value as the debug module shows it: a lone expression keeps lists, dicts and booleans; numbers print. */
function stackplay(tpl: string): Outcome {
  const saved = { ...process.env };
  Object.assign(process.env, ENV);
  try {
    const v = renderString(tpl, diffVars);
    // a lone None prints as "" in ansible's debug; stackplay keeps null for params (listed in README)
    return { ok: true, value: typeof v === 'number' ? String(v) : v === null ? '' : v };
  } catch (e) {
    return { ok: false, value: (e as Error).message };
  } finally {
    for (const k of Object.keys(ENV)) if (!(k in saved)) delete process.env[k];
  }
}

const dir = mkdtempSync(join(tmpdir(), 'stackplay-ansible-diff-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

test('at least 40 cases', (t) => t.true(diffCases.length >= 40));

test('ansible and stackplay render every case the same', (t) => {
  const ansible = ensureAnsible(() => {});
  if ('missing' in ansible) {
    t.log(`skipped: ansible-core cannot be installed here (${ansible.missing})`);
    t.pass();
    return;
  }
  const want = runAnsible(join(dir, 'diff.yml'));
  if (typeof want === 'string') return t.fail(want);
  const diffs: string[] = [];
  for (const [name, tpl] of diffCases) {
    const a = want.get(name);
    const s = stackplay(tpl);
    if (!a) {
      diffs.push(`${name}: ansible gave no result`);
      continue;
    }
    const same = a.ok === s.ok && (!a.ok || JSON.stringify(a.value) === JSON.stringify(s.value));
    if (!same) diffs.push(`${name}: ${tpl}\n  ansible:   ${JSON.stringify(a)}\n  stackplay: ${JSON.stringify(s)}`);
  }
  t.log(`${diffCases.length - diffs.length}/${diffCases.length} cases agree (${ansible.version})`);
  t.deepEqual(diffs, []);
});
