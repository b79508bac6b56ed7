// Runs a case through the real stackplay CLI (--output json) and reads what it did.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../integration/cli.js';
import { type Case, stageCase } from './cases.js';
import { counts, type ExitClass, normalisePaths, type Observed, snapshotFiles } from './observed.js';

function exitClass(code: number | null): ExitClass {
  if (code === 0) return 'ok';
  if (code === 2) return 'host-failed';
  if (code === 4 || code === 5) return 'parse-error';
  if (code === 3) return 'unreachable';
  if (code === 1) return 'internal';
  return `exit ${code ?? -1}`;
}

/** What a debug plan shows: its msg, or { var: value } (the data key beside msg). */
function shown(data: Record<string, unknown>): unknown {
  const vars = Object.keys(data).filter((k) => k !== 'msg');
  return vars.length > 0 ? Object.fromEntries(vars.map((k) => [k, data[k]])) : data.msg;
}

export async function runStackplay(c: Case): Promise<Observed & { log: string }> {
  const { base, work, inventory } = await stageCase(c, 'stackplay');
  try {
    const r = await runCli(['run', '-i', inventory, '--output', 'json', ...c.args, join(work, 'playbook.yml')], {
      env: { STACKPLAY_FROM_SOURCE: '1' },
      timeoutMs: 300_000,
    });
    const debug: Record<string, unknown[]> = {};
    let recap: Observed['recap'] = {};
    for (const e of r.events) {
      if (e.type === 'host:plan' && e.task.module === 'debug' && e.plan.data)
        debug[e.host] = [...(debug[e.host] ?? []), shown(e.plan.data)];
      if (e.type === 'run:end') recap = Object.fromEntries(Object.entries(e.recap).map(([h, l]) => [h, counts(l)]));
    }
    const observed = { exit: exitClass(r.code), recap, debug, files: await snapshotFiles(work) };
    return { ...normalisePaths(observed, work), log: `${r.stderr}\n${r.stdout}`.slice(-4000) };
  } finally {
    await rm(base, { recursive: true, force: true });
  }
}
