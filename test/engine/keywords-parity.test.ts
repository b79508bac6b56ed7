// The core keywords against ansible-playbook on the local connection: same exit class, recap and debug output.
import test from 'ava';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const dir = 'test/fixtures/keywords';
const inventory = 'test/fixtures/integration/local.ini';

interface Outcome {
  exit: 'ok' | 'failed';
  recap: Record<string, number>;
  msgs: string[];
  /** Files the run wrote under its `out` folder: name, mode and content. */
  files: string[];
}

/** Each run writes under its own folder (`-e out=...`); what it wrote is compared. */
function written(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .map((f) => {
      const p = join(dir, f);
      return `${f} ${(statSync(p).mode & 0o777).toString(8)} ${readFileSync(p, 'utf8')}`;
    });
}

const COUNTS = ['ok', 'changed', 'failed', 'skipped', 'rescued', 'ignored'] as const;

const has = (bin: string) => {
  try {
    execFileSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

test.before(() => {
  if (!has('ansible-playbook')) execFileSync('bash', ['scripts/ensure-packages.sh'], { stdio: 'inherit' });
});

/** Runs a command to its end, keeping its output whatever the exit code. */
async function outputOf(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  try {
    const r = await run(cmd, args, { env: { ...process.env, ...env }, maxBuffer: 64 << 20 });
    return { code: 0, stdout: r.stdout };
  } catch (e) {
    const err = e as { code?: number; stdout?: string };
    return { code: err.code ?? 1, stdout: err.stdout ?? '' };
  }
}

type Json = Record<string, unknown>;

/** Debug messages in the order Ansible printed them (loop items in order). */
function ansibleMsgs(report: Json): string[] {
  const out: string[] = [];
  for (const play of report.plays as Json[])
    for (const task of play.tasks as Json[]) {
      const r = (task.hosts as Record<string, Json>).localhost;
      if (!r || !String(r.action).endsWith('debug') || r.skipped) continue;
      for (const one of (r.results as Json[] | undefined) ?? [r]) if (typeof one.msg === 'string') out.push(one.msg);
    }
  return out;
}

async function ansible(playbook: string, out: string): Promise<Omit<Outcome, 'files'>> {
  const r = await outputOf('ansible-playbook', ['-i', inventory, '-e', `out=${out}`, `${dir}/${playbook}`], {
    ANSIBLE_STDOUT_CALLBACK: 'json',
    ANSIBLE_LOCALHOST_WARNING: 'false',
    ANSIBLE_PYTHON_INTERPRETER: 'auto_silent',
    ANSIBLE_NOCOLOR: '1',
  });
  const report = JSON.parse(r.stdout.slice(r.stdout.indexOf('{'))) as Json;
  const stats = (report.stats as Record<string, Json>).localhost!;
  const recap = Object.fromEntries(
    COUNTS.map((k) => [k, Number(stats[k === 'failed' ? 'failures' : k] ?? 0)] as const),
  );
  return { exit: r.code === 0 ? 'ok' : 'failed', recap, msgs: ansibleMsgs(report) };
}

async function stackplay(playbook: string, out: string): Promise<Omit<Outcome, 'files'>> {
  const r = await outputOf(process.execPath, [
    '--import',
    'tsx',
    'src/cli.ts',
    'run',
    `${dir}/${playbook}`,
    '-i',
    inventory,
    '--output',
    'json',
    '-e',
    `out=${out}`,
  ]);
  const events = r.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Json);
  const end = events.find((e) => e.type === 'run:end') as { recap: Record<string, Json> } | undefined;
  const line = end?.recap.localhost ?? {};
  const recap = Object.fromEntries(COUNTS.map((k) => [k, Number(line[k] ?? 0)] as const));
  const msgs = events
    .filter((e) => e.type === 'host:end' && (e.task as Json).module === 'debug' && typeof e.output === 'string')
    .map((e) => e.output as string);
  return { exit: r.code === 0 ? 'ok' : 'failed', recap, msgs };
}

const cases: [string, string][] = [
  ['set_fact and vars_files: precedence, types, loops', 'set-fact-vars-files.yml'],
  ['block / rescue / always: a rescued host goes on', 'block-rescue.yml'],
  ['block / always: always runs, the failure stays', 'block-always-fails.yml'],
  ['block when, nesting, vars passed down and a failing rescue', 'block-when-nested.yml'],
  ['import_tasks and include_tasks with loop, vars and when', 'include-import.yml'],
  ['pre_tasks / post_tasks flush handlers; meta: flush_handlers', 'handlers-sections.yml'],
  ['roles: defaults, vars, handlers, templates/ and files/ of the role', 'roles.yml'],
];

for (const [what, playbook] of cases) {
  test(`as ansible-playbook: ${what}`, async (t) => {
    const [theirDir, ourDir] = ['ansible', 'stackplay'].map((n) => mkdtempSync(join(tmpdir(), `kw-${n}-`)));
    t.teardown(() => {
      for (const d of [theirDir!, ourDir!]) rmSync(d, { recursive: true, force: true });
    });
    const [theirs, ours] = await Promise.all([ansible(playbook, theirDir!), stackplay(playbook, ourDir!)]);
    t.true(theirs.msgs.length > 0, 'the case prints something to compare');
    t.deepEqual({ ...ours, files: written(ourDir!) }, { ...theirs, files: written(theirDir!) });
  });
}
