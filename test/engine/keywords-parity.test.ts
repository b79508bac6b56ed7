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
  recap: Record<string, Record<string, number>>;
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
    for (const task of play.tasks as Json[])
      for (const [host, r] of Object.entries(task.hosts as Record<string, Json>)) {
        if (!String(r.action).endsWith('debug') || r.skipped) continue;
        for (const one of (r.results as Json[] | undefined) ?? [r])
          if (typeof one.msg === 'string') out.push(`${host}: ${one.msg}`);
      }
  return out;
}

interface Case {
  playbook: string;
  inventory?: string;
  args?: string[];
}

async function ansible(c: Case, out: string): Promise<Omit<Outcome, 'files'>> {
  const args = ['-i', c.inventory ?? inventory, '-e', `out=${out}`, ...(c.args ?? []), `${dir}/${c.playbook}`];
  const r = await outputOf('ansible-playbook', args, {
    ANSIBLE_STDOUT_CALLBACK: 'json',
    ANSIBLE_LOCALHOST_WARNING: 'false',
    ANSIBLE_PYTHON_INTERPRETER: 'auto_silent',
    ANSIBLE_NOCOLOR: '1',
  });
  const report = JSON.parse(r.stdout.slice(r.stdout.indexOf('{'))) as Json;
  const recap = Object.fromEntries(
    Object.entries(report.stats as Record<string, Json>).map(([host, stats]) => [
      host,
      Object.fromEntries(COUNTS.map((k) => [k, Number(stats[k === 'failed' ? 'failures' : k] ?? 0)] as const)),
    ]),
  );
  return { exit: r.code === 0 ? 'ok' : 'failed', recap, msgs: ansibleMsgs(report) };
}

async function stackplay(c: Case, out: string): Promise<Omit<Outcome, 'files'>> {
  const r = await outputOf(process.execPath, [
    '--import',
    'tsx',
    'src/cli.ts',
    'run',
    `${dir}/${c.playbook}`,
    '-i',
    c.inventory ?? inventory,
    ...(c.args ?? []),
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
  const recap = Object.fromEntries(
    Object.entries(end?.recap ?? {}).map(([host, line]) => [
      host,
      Object.fromEntries(COUNTS.map((k) => [k, Number(line[k] ?? 0)] as const)),
    ]),
  );
  const msgs = events
    .filter((e) => e.type === 'host:end' && (e.task as Json).module === 'debug' && typeof e.output === 'string')
    .map((e) => `${e.host as string}: ${e.output as string}`);
  return { exit: r.code === 0 ? 'ok' : 'failed', recap, msgs };
}

const cases: [string, string | Case][] = [
  ['set_fact and vars_files: precedence, types, loops', 'set-fact-vars-files.yml'],
  ['block / rescue / always: a rescued host goes on', 'block-rescue.yml'],
  ['block / always: always runs, the failure stays', 'block-always-fails.yml'],
  ['block when, nesting, vars passed down and a failing rescue', 'block-when-nested.yml'],
  ['import_tasks and include_tasks with loop, vars and when', 'include-import.yml'],
  ['pre_tasks / post_tasks flush handlers; meta: flush_handlers', 'handlers-sections.yml'],
  ['roles: defaults, vars, handlers, templates/ and files/ of the role', 'roles.yml'],
  ['include_role (vars over role defaults) and import_role', 'include-role.yml'],
  [
    'environment (play and task), check_mode: true, run_once on two hosts',
    { playbook: 'env-check-once.yml', inventory: `${dir}/two-local.ini` },
  ],
  [
    'delegate_to: localhost and another inventory host',
    { playbook: 'delegate.yml', inventory: `${dir}/two-local.ini` },
  ],
  ['check_mode: false runs under --check', { playbook: 'check-mode-false.yml', args: ['--check'] }],
];

/** Hosts run in parallel: with more than one, only the order of each host's own lines is compared. */
const byHost = (o: Omit<Outcome, 'files'>) =>
  Object.keys(o.recap).length > 1 ? { ...o, msgs: [...o.msgs].sort() } : o;

for (const [what, given] of cases) {
  const c = typeof given === 'string' ? { playbook: given } : given;
  test(`as ansible-playbook: ${what}`, async (t) => {
    const [theirDir, ourDir] = ['ansible', 'stackplay'].map((n) => mkdtempSync(join(tmpdir(), `kw-${n}-`)));
    t.teardown(() => {
      for (const d of [theirDir!, ourDir!]) rmSync(d, { recursive: true, force: true });
    });
    const [theirs, ours] = await Promise.all([ansible(c, theirDir!), stackplay(c, ourDir!)]);
    t.true(theirs.msgs.length > 0, 'the case prints something to compare');
    t.deepEqual({ ...byHost(ours), files: written(ourDir!) }, { ...byHost(theirs), files: written(theirDir!) });
  });
}
