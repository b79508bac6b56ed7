// Runs a case through Debian's ansible-playbook (json callback) and reads what it did.
import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ansibleEnv } from '../helpers/ansible-core.js';
import { type Case, stageCase } from './cases.js';
import { type Counts, counts, type ExitClass, normalisePaths, type Observed, snapshotFiles } from './observed.js';

const run = promisify(execFile);

/**
 * ansible-playbook's exit codes: 2 failed hosts, 4 unreachable or a parser error, 1/5 other errors before running.
 * An unreachable run is classed as stackplay's exit codes (README) class it: failed when a host also failed, else unreachable.
 */
function exitClass(code: number, recap: Record<string, Counts>): ExitClass {
  const lines = Object.values(recap);
  if (code === 0) return 'ok';
  if (code === 2) return 'host-failed';
  if (code === 4 && lines.some((l) => l.unreachable > 0))
    return lines.some((l) => l.failed > 0) ? 'host-failed' : 'unreachable';
  if (code === 1 || code === 4 || code === 5) return 'parse-error';
  return `exit ${code}`;
}

type Result = Record<string, unknown>;
const META = new Set(['action', 'changed', 'failed', 'skipped', 'skip_reason', 'false_condition', 'item']);

/** What a debug result shows: its msg, or { var: value }. */
function shown(r: Result): unknown {
  if ('msg' in r) return r.msg;
  const hidden = new Set([r.ansible_loop_var, r.ansible_index_var, 'ansible_loop_var', 'ansible_index_var']);
  const keys = Object.keys(r).filter((k) => !k.startsWith('_ansible') && !META.has(k) && !hidden.has(k));
  return Object.fromEntries(keys.map((k) => [k, r[k]]));
}

interface JsonReport {
  plays: { tasks: { hosts: Record<string, Result> }[] }[];
  stats: Record<string, Record<string, number>>;
}

/** The debug output of a run, per host in order (skipped debugs show nothing; a failed one shows its error, worded differently by each runner, so it is left out). */
function debugOutput(report: JsonReport): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const play of report.plays)
    for (const task of play.tasks)
      for (const [host, r] of Object.entries(task.hosts)) {
        if (r.action !== 'debug' && r.action !== 'ansible.builtin.debug') continue;
        const items = Array.isArray(r.results) ? (r.results as Result[]) : [r];
        const seen = items.filter((item) => !item.skipped && !item.failed).map(shown);
        if (seen.length > 0) out[host] = [...(out[host] ?? []), ...seen];
      }
  return out;
}

export async function runAnsible(c: Case): Promise<Observed & { log: string }> {
  const { base, work, inventory } = await stageCase(c, 'ansible');
  const env = ansibleEnv(join(base, 'ansible-tmp'), { ANSIBLE_STDOUT_CALLBACK: 'json' });
  try {
    const args = ['-i', inventory, ...c.args, join(work, 'playbook.yml')];
    let code = 0;
    let stdout = '';
    let stderr = '';
    try {
      ({ stdout, stderr } = await run('ansible-playbook', args, {
        cwd: work,
        env,
        maxBuffer: 64 << 20,
        timeout: 300_000,
      }));
    } catch (e) {
      const err = e as { code?: number; stdout?: string; stderr?: string };
      code = typeof err.code === 'number' ? err.code : -1;
      stdout = err.stdout ?? '';
      stderr = err.stderr ?? '';
    }
    const start = stdout.indexOf('{');
    const report = start >= 0 ? (JSON.parse(stdout.slice(start)) as JsonReport) : undefined;
    const recap = Object.fromEntries(
      Object.entries(report?.stats ?? {}).map(([h, s]) => [h, counts({ ...s, failed: s.failures })]),
    );
    const observed = {
      exit: exitClass(code, recap),
      recap,
      debug: report ? debugOutput(report) : {},
      files: await snapshotFiles(work),
    };
    return { ...normalisePaths(observed, work), log: `${stderr}\n${stdout}`.slice(-4000) };
  } finally {
    await rm(base, { recursive: true, force: true });
  }
}
