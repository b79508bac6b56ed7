// The cluster lock on the core node, through the CLI against a real sshd: a second run is refused, a stale lock can be broken.
import test from 'ava';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canRunSshd, startSshd, whyNoSshd, type Sshd } from '../helpers/sshd.js';
import { BIN, runCli } from '../integration/cli.js';

let sshd: Sshd | undefined;
let work = '';

test.before(async () => {
  if (!canRunSshd()) return;
  work = mkdtempSync(join(tmpdir(), 'stackplay-lock-'));
  sshd = await startSshd();
});

test.after.always(async () => {
  await sshd?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** A one-core cluster whose lock lives under the test's folder; the playbook waits for `go` when asked. */
function cluster(tag: string): { inventory: string; playbook: string; dir: string; lock: string } {
  const dir = join(work, tag);
  mkdirSync(dir, { recursive: true });
  const lock = join(dir, 'state', 'lock');
  const vars = Object.entries(sshd!.inventoryVars())
    .map(([k, v]) => `${k}='${v}'`)
    .join(' ');
  const inventory = join(dir, 'cluster.ini');
  writeFileSync(inventory, `[core]\ncore1 ${vars} stackplay_lock_dir=${lock}\n`);
  const playbook = join(dir, 'site.yml');
  writeFileSync(
    playbook,
    `
- hosts: core
  tasks:
    - name: wait until the test says go
      shell: "if [ -n '{{ wait | default('') }}' ]; then touch ${dir}/waiting; while [ -d ${dir} ] && [ ! -f ${dir}/go ]; do sleep 0.1; done; fi"
      changed_when: false
    - name: leave a mark
      copy: { dest: "${dir}/ran", content: "ran\\n" }
`,
  );
  return { inventory, playbook, dir, lock };
}

/** Waits for `what`; gives up (throws) once the CLI has exited, so a broken run fails the test instead of hanging it. */
const until = async (what: () => boolean, child: { exitCode: number | null; signalCode: string | null }) => {
  while (!what()) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`the CLI ended (exit ${child.exitCode ?? child.signalCode}) before the awaited state`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

/** The CLI in the background, to be signalled or waited for. */
function startCli(args: string[]) {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr })),
  );
  return { child, done, stderr: () => stderr };
}

const it = canRunSshd() ? test.serial : test.serial.skip;
if (!canRunSshd())
  test('lock (skipped)', (t) => {
    t.log(whyNoSshd());
    t.pass();
  });

it('a second run while one holds the lock is refused, naming the holder; the first releases it', async (t) => {
  const c = cluster('two');
  const first = startCli(['run', c.playbook, '-i', c.inventory, '--output', 'plain', '-e', 'wait=yes']);
  t.teardown(() => {
    first.child.kill('SIGKILL');
  });
  await until(() => existsSync(join(c.dir, 'waiting')), first.child);
  const info = JSON.parse(readFileSync(join(c.lock, 'info'), 'utf8')) as {
    pid: number;
    holder: string;
    since: string;
    what: string;
  };
  t.is(info.pid, first.child.pid!);

  const second = await runCli(['run', c.playbook, '-i', c.inventory, '--output', 'plain']);
  t.is(second.code, 2, second.stdout + second.stderr);
  t.regex(second.stderr, /error\[E_LOCKED\] the cluster is locked on core1/);
  t.true(second.stderr.includes(`${info.holder} (pid ${first.child.pid}`), second.stderr);
  t.true(second.stderr.includes(`since ${info.since}`));
  t.regex(second.stderr, /hint: .*--break-lock/);
  t.false(existsSync(join(c.dir, 'ran')), 'the refused run changed the host');

  writeFileSync(join(c.dir, 'go'), '');
  const r = await first.done;
  t.is(r.code, 0, r.stdout + r.stderr);
  t.true(existsSync(join(c.dir, 'ran')));
  t.false(existsSync(c.lock), 'the lock was not released');
});

it('a stale lock refuses the run until --break-lock; check mode needs no lock', async (t) => {
  const c = cluster('stale');
  mkdirSync(c.lock, { recursive: true });
  writeFileSync(
    join(c.lock, 'info'),
    `${JSON.stringify({ id: 'old', holder: 'alice@elsewhere', pid: 4242, since: '2026-01-02T03:04:05.000Z', what: 'stackplay run old.yml' })}\n`,
  );

  const refused = await runCli(['run', c.playbook, '-i', c.inventory, '--output', 'json']);
  t.is(refused.code, 2, refused.stdout + refused.stderr);
  const d = refused.events.find((e) => e.type === 'diagnostics');
  t.truthy(
    d &&
      d.type === 'diagnostics' &&
      d.diagnostics[0]?.message.includes(
        'alice@elsewhere (pid 4242, stackplay run old.yml) since 2026-01-02T03:04:05.000Z',
      ),
    refused.stdout,
  );
  t.false(refused.events.some((e) => e.type === 'run:start'));

  const check = await runCli(['run', c.playbook, '-i', c.inventory, '--output', 'json', '--check']);
  t.is(check.code, 0, check.stdout + check.stderr);
  t.true(existsSync(join(c.lock, 'info')), 'check mode touched the lock');

  const broken = await runCli(['run', c.playbook, '-i', c.inventory, '--output', 'json', '--break-lock']);
  t.is(broken.code, 0, broken.stdout + broken.stderr);
  t.true(existsSync(join(c.dir, 'ran')));
  t.false(existsSync(c.lock));
});

// SIGTERM and SIGHUP stop a run as Ctrl-C does; only the exit code differs (99, else 128+N).
for (const [signal, code] of [
  ['SIGINT', 99],
  ['SIGTERM', 143],
  ['SIGHUP', 129],
] as const) {
  it(`an interrupted run (${signal}) finishes its running step, prints the recap, exits ${code} and releases the lock`, async (t) => {
    const c = cluster(`signal-${signal}`);
    const run = startCli(['run', c.playbook, '-i', c.inventory, '--output', 'plain', '-e', 'wait=yes']);
    t.teardown(() => {
      run.child.kill('SIGKILL');
    });
    await until(() => existsSync(join(c.dir, 'waiting')), run.child);
    t.true(existsSync(c.lock));
    run.child.kill(signal);
    // Only once the CLI has taken the interrupt may the running step end; otherwise the next task could start first.
    await until(() => run.stderr().includes('interrupt:'), run.child);
    writeFileSync(join(c.dir, 'go'), '');
    const r = await run.done;
    t.is(r.code, code, r.stdout + r.stderr);
    t.regex(r.stdout, /core1 +: ok=1/, 'the running step did not finish and count');
    t.regex(r.stdout, /interrupted by the user/);
    t.false(existsSync(join(c.dir, 'ran')), 'a new task started after the interrupt');
    t.false(existsSync(c.lock), 'the lock was not released');
  });
}

it('a second signal quits at once, without waiting for the running step (the lock is left for --break-lock)', async (t) => {
  const c = cluster('second-signal');
  const run = startCli(['run', c.playbook, '-i', c.inventory, '--output', 'plain', '-e', 'wait=yes']);
  t.teardown(() => {
    run.child.kill('SIGKILL');
    // The step the CLI did not wait for is still waiting on the host: it ends on this (or once the folder is gone).
    writeFileSync(join(c.dir, 'go'), '');
  });
  await until(() => existsSync(join(c.dir, 'waiting')), run.child);
  run.child.kill('SIGTERM');
  await until(() => run.stderr().includes('interrupt:'), run.child);
  run.child.kill('SIGINT');
  const r = await run.done;
  t.is(r.code, 99, r.stdout + r.stderr);
  t.false(existsSync(join(c.dir, 'ran')));
  t.true(existsSync(c.lock), 'quitting at once cannot release the lock');
});

it('migrate is refused by a held lock before it records any progress', async (t) => {
  const c = cluster('migrate');
  mkdirSync(c.lock, { recursive: true });
  writeFileSync(
    join(c.lock, 'info'),
    `${JSON.stringify({ id: 'other', holder: 'bob@ops', pid: 77, since: '2026-02-03T04:05:06.000Z', what: 'stackplay run site.yml' })}\n`,
  );
  const state = join(c.dir, 'progress');
  const r = await runCli(['migrate', '-i', c.inventory, '--new-core-ip', '127.0.0.9', '--output', 'plain'], {
    env: { STACKPLAY_STATE_DIR: state },
  });
  t.is(r.code, 2, r.stdout + r.stderr);
  t.true(
    r.stderr.includes('locked on core1') &&
      r.stderr.includes('bob@ops (pid 77, stackplay run site.yml) since 2026-02-03T04:05:06.000Z'),
    r.stderr,
  );
  t.false(existsSync(state) && readdirSync(state).length > 0, 'a refused migrate recorded progress');
  t.true(existsSync(join(c.lock, 'info')), "the other run's lock was removed");
});
