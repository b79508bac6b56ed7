// Running the differential cases: through ansible-playbook (debug msg, connection local) and through stackplay.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { renderString } from '../../src/template/render.js';
import { diffCases, diffVars } from './ansible-cases.js';

export interface Outcome {
  ok: boolean;
  value: unknown;
}

const ENV = { STACKPLAY_DIFF_ENV: 'from-env' };

/** Every case as one debug task of one playbook, results read from the json callback. */
export function runAnsible(playbookPath: string): Map<string, Outcome> | string {
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
export function stackplay(tpl: string): Outcome {
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
