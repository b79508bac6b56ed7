// The command shell on a real sshd: same results as exec channels, commands isolated from each other, fallbacks.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readOnly, sh, type Command } from '../../src/command.js';
import { UnreachableError } from '../../src/errors.js';
import { sessionScript } from '../../src/transport/shell-session.js';
import type { SshTransport } from '../../src/transport/ssh.js';
import type { ChainedStep, ExecResult } from '../../src/transport/types.js';
import { SHELL_WRITE_MAX } from '../../src/transport/shell-write.js';
import { childrenOf, descendantsOf } from '../helpers/procs.js';
import { startSshd, type Sshd } from '../helpers/sshd.js';
import { connectTo, sshdAvailable, sshTest, startedUnder } from './util.js';

let sshd: Sshd;
test.before(async () => {
  if (sshdAvailable) sshd = await startSshd();
});
test.after.always(async () => {
  await sshd?.stop();
});

const raw = (text: string): Command => ({ text, display: text, readOnly: false });
/** The command line of the shell a command ran under ($$: the command shell, or an exec channel's own shell). */
const parentOf = async (t: SshTransport) =>
  (await t.exec(raw('cat /proc/$$/cmdline | tr "\\0" " " | head -c 300; echo'))).stdout;

/** Runs `f` on a connection with the command shell and on one without it. */
async function withBoth<T>(f: (t: SshTransport) => Promise<T>): Promise<{ shell: T; exec: T }> {
  const a = await connectTo(sshd);
  const b = await connectTo(sshd, { stackplay_shell_session: 'false' });
  try {
    return { shell: await f(a), exec: await f(b) };
  } finally {
    await a.close();
    await b.close();
  }
}

sshTest(
  'commands give the same code, stdout and stderr through the command shell as through exec channels',
  async (t) => {
    const cases = [
      raw('true'),
      raw('false'),
      raw('echo out; echo err >&2; exit 7'),
      raw('printf "no newline at the end"'),
      raw('printf "a\\nb\\n\\n"; printf "" >&2'),
      sh`printf '%s\n' ${'quotes \' " and \\ backslashes $HOME `x`'}`,
      raw('for i in 1 2 3; do\n  echo "line $i"\ndone\necho "  leading and trailing spaces  "'),
      raw("cat <<'EOF'\nhere $document\n\tindented\nEOF"),
      raw('printf "caf\\303\\251 \\342\\234\\223\\n"'),
      raw('head -c 300000 /dev/zero | tr "\\0" x; echo'),
      raw('read x; echo "stdin gave ${x:-nothing}"'),
      raw('exit 255'),
      raw('sh -c "kill -TERM \\$\\$"'),
      raw('echo a \\'),
      raw('echo "no newline after a backslash line"\n\\'),
      raw('true\nfoo_not_there_stackplay'),
      raw('echo "unclosed'),
      raw('echo "$0" >/dev/null; echo "${__sp_id:+leak}${__sp_m:+leak}"; echo done'),
    ];
    const results = await withBoth(async (tr) => {
      const out = [];
      for (const c of cases) {
        const r = await tr.exec(c);
        out.push({ code: r.code, stdout: r.stdout, stderr: r.stderr });
      }
      return out;
    });
    // Killed by a signal: exec reports no code (sshd sends the signal), the shell the status it saw (128 + 15).
    const at = (part: string) => cases.findIndex((c) => c.text.includes(part));
    const signalled = at('kill -TERM');
    t.is(results.exec[signalled]!.code, null);
    t.is(results.shell[signalled]!.code, 143);
    for (let i = 0; i < cases.length - 1; i++) {
      if (i === signalled) continue;
      const [viaShell, viaExec] = [results.shell[i]!, results.exec[i]!];
      // A syntax error in the text itself is reported by `eval` where `sh -c` says `-c` (documented in shell-session.ts).
      const shellStderr = viaShell.stderr.replace(/^(\w+): eval: /gm, '$1: -c: ');
      t.deepEqual(
        [viaShell.code, viaShell.stdout, shellStderr],
        [viaExec.code, viaExec.stdout, viaExec.stderr],
        cases[i]!.text,
      );
    }
    t.is(results.shell[cases.length - 1]!.stdout, '\ndone\n', 'the shell loop keeps its variables to itself');
    t.is(results.shell[9]!.stdout.length, 300001);
    t.is(results.shell[at('echo a')]!.stdout, 'a \\\n', 'a final backslash is not a line continuation');
    t.regex(
      results.shell[at('foo_not_there')]!.stderr,
      /line 2: foo_not_there_stackplay/,
      "messages name the command's own lines",
    );
  },
);

sshTest(
  'plain commands share one shell; cd, exports and umask do not leak from one command into the next',
  async (t) => {
    const tr = await connectTo(sshd);
    t.teardown(() => tr.close());
    const first = await parentOf(tr);
    t.regex(first, /__sp_/, 'the command ran under the command shell');
    t.is(await parentOf(tr), first, 'the second command ran under the same shell');
    await tr.exec(raw('cd /tmp; export SP_LEAK=yes; umask 0077; ulimit -n 64; alias ll=ls; trap "echo trapped" EXIT'));
    const r = await tr.exec(raw('pwd; echo "${SP_LEAK:-unset}"; umask; ulimit -n'));
    const fresh = await connectTo(sshd, { stackplay_shell_session: 'false' });
    t.teardown(() => fresh.close());
    const expected = await fresh.exec(raw('pwd; echo "${SP_LEAK:-unset}"; umask; ulimit -n'));
    t.is(r.stdout, expected.stdout);
    t.is(r.stderr, '');
  },
);

sshTest(
  'a background process left writing to stdout never reaches a later command, and does not hold the command up',
  async (t) => {
    const tr = await connectTo(sshd);
    t.teardown(() => tr.close());
    const start = await tr.exec(raw('(while :; do echo stray; echo stray >&2; sleep 0.05; done) & echo "started $!"'));
    const pid = /started (\d+)/.exec(start.stdout)?.[1];
    t.truthy(pid, start.stdout);
    t.teardown(() =>
      tr.exec(raw(`kill ${pid}`)).then(
        () => undefined,
        () => undefined,
      ),
    );
    for (let i = 0; i < 5; i++) {
      const r = await tr.exec(raw(`sleep 0.1; echo clean ${i}`));
      t.is(r.stdout, `clean ${i}\n`);
      t.is(r.stderr, '');
    }
  },
);

sshTest('commands with stdin or a time limit keep their own exec channel', async (t) => {
  const tr = await connectTo(sshd);
  t.teardown(() => tr.close());
  const shellParent = await parentOf(tr);
  const viaStdin = await tr.exec(raw('cat /proc/$$/cmdline | tr "\\0" " "; cat'), { stdin: 'from stdin' });
  t.notRegex(viaStdin.stdout, /__sp_/);
  t.regex(viaStdin.stdout, /from stdin$/);
  const timed = await tr.exec(raw('cat /proc/$$/cmdline | tr "\\0" " "'), { timeoutMs: 10_000 });
  t.notRegex(timed.stdout, /__sp_/);
  t.is(await parentOf(tr), shellParent);
});

sshTest(
  'two commands at once: one runs in the shell, the other on an exec channel; both results are right',
  async (t) => {
    const tr = await connectTo(sshd);
    t.teardown(() => tr.close());
    const rs = await Promise.all(
      [1, 2, 3, 4].map((i) => tr.exec(raw(`sleep 0.2; echo ${i}; echo e${i} >&2; exit ${i}`))),
    );
    t.deepEqual(
      rs.map((r) => [r.code, r.stdout, r.stderr]),
      [1, 2, 3, 4].map((i) => [i, `${i}\n`, `e${i}\n`]),
    );
  },
);

sshTest('a command that kills the command shell has no known exit; the next command gets a new shell', async (t) => {
  const tr = await connectTo(sshd);
  t.teardown(() => tr.close());
  const before = await parentOf(tr);
  const r = await tr.exec(raw('kill -KILL $$; sleep 1'));
  t.is(r.code, null);
  const after = await parentOf(tr);
  t.regex(after, /__sp_/);
  t.is((await tr.exec(raw('echo still works'))).stdout, 'still works\n');
  t.truthy(before);
});

sshTest('the connection dropping while a command runs in the shell is UnreachableError, not a hang', async (t) => {
  const own = await startSshd();
  t.teardown(() => own.stop());
  const tr = await connectTo(own);
  t.teardown(() => tr.close());
  t.regex(await parentOf(tr), /__sp_/);
  const running = tr.exec(raw('sleep 30'));
  t.true(await startedUnder(own.pid, 'sleep 30'), 'the command started');
  for (const p of childrenOf(own.pid)) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  await t.throwsAsync(running, { instanceOf: UnreachableError, message: /lost while running: sleep 30/ });
});

sshTest('a shell that cannot start (no usable temp folder) leaves commands on exec channels', async (t) => {
  const own = await startSshd({ setEnv: { TMPDIR: '/nonexistent-stackplay-tmp' } });
  t.teardown(() => own.stop());
  const tr = await connectTo(own);
  t.teardown(() => tr.close());
  const r = await tr.exec(raw('echo "$TMPDIR"; cat /proc/$$/cmdline | tr "\\0" " "'));
  t.regex(r.stdout, /^\/nonexistent-stackplay-tmp\n/);
  t.notRegex(r.stdout, /__sp_/);
  t.is((await tr.exec(raw('echo fine; exit 3'))).code, 3);
});

// A login that takes longer than the shell's start time (a heavy ~/.bashrc): the command sent with
// the shell's start waits for it and runs once; others meanwhile take exec channels.
sshTest(
  'a shell slower to start than its start time: the first command still runs once; others take exec channels',
  async (t) => {
    const own = await startSshd({ home: { '.bashrc': 'sleep 2\n' } });
    t.teardown(() => own.stop());
    const tr = await connectTo(own, {}, { shellStartMs: 500 });
    t.teardown(() => tr.close());
    const log = join(own.dir, 'slow.log');
    const first = tr.exec(raw(`echo shell >> ${log}; echo first`));
    const other = await tr.exec(raw('echo other; cat /proc/$PPID/cmdline | tr "\\0" " "'));
    t.is(other.stdout.split('\n')[0], 'other');
    t.notRegex(other.stdout, /__sp_/, 'the late shell was not given the second command');
    t.like(await first, { code: 0, stdout: 'first\n' });
    t.is(readFileSync(log, 'utf8'), 'shell\n', 'the first command ran exactly once');
  },
);

// The first command goes to the shell with its start (no round trip waiting for the ready line):
// when the shell then ends before its loop, that command and its followers did not run, and run once elsewhere.
sshTest(
  'a shell that cannot start: the command sent with its start runs once, on an exec channel; a write with followers goes by SFTP',
  async (t) => {
    const own = await startSshd({ setEnv: { TMPDIR: '/nonexistent-stackplay-tmp' } });
    t.teardown(() => own.stop());
    const tr = await connectTo(own);
    t.teardown(() => tr.close());
    const log = join(own.dir, 'ran.log');
    let answers: (ExecResult | undefined)[] | undefined;
    const r = await tr.exec(raw(`echo once >> ${log}; echo done`), {
      followers: { cmds: [raw('echo probe')], done: (a) => (answers = a) },
    });
    t.is(r.stdout, 'done\n');
    t.is(readFileSync(log, 'utf8'), 'once\n', 'the command ran exactly once');
    t.is(answers, undefined, 'followers that did not run are not answered');
    const file = join(own.dir, 'via-sftp');
    const fresh = await connectTo(own);
    t.teardown(() => fresh.close());
    await fresh.write(file, 'small\n', { followers: { cmds: [raw('echo probe')], done: () => undefined } });
    t.is(readFileSync(file, 'utf8'), 'small\n');
  },
);

sshTest('on a server that allows one session, the command shell gives it up for sftp and exec channels', async (t) => {
  const own = await startSshd({ maxSessions: 1 });
  t.teardown(() => own.stop());
  const tr = await connectTo(own);
  t.teardown(() => tr.close());
  t.regex(await parentOf(tr), /__sp_/, 'the shell took the only session');
  t.is((await tr.exec(raw('cat'), { stdin: 'needs its own channel' })).stdout, 'needs its own channel');
  t.notRegex(await parentOf(tr), /__sp_/, 'the shell is gone for good on this connection');
  const file = join(own.dir, 'written');
  await tr.write(file, 'over sftp\n');
  t.is(readFileSync(file, 'utf8'), 'over sftp\n');
});

// The shell's channel is asked for while connecting (session-ahead.ts): a first operation that
// needs a channel of its own must still get the only session.
sshTest(
  'on a server that allows one session, a first command with stdin and a first sftp write still run',
  async (t) => {
    const own = await startSshd({ maxSessions: 1 });
    t.teardown(() => own.stop());
    const tr = await connectTo(own);
    t.teardown(() => tr.close());
    t.is((await tr.exec(raw('cat'), { stdin: 'first, on its own channel' })).stdout, 'first, on its own channel');
    const other = await connectTo(own);
    t.teardown(() => other.close());
    const file = join(own.dir, 'written-first');
    await other.write(file, 'over sftp, first\n');
    t.is(readFileSync(file, 'utf8'), 'over sftp, first\n');
  },
);

// The shell's exec request goes with its channel's (session-ahead.ts); a server that refuses the
// channel then disconnects over that request: the error still says the channel was refused.
sshTest(
  'on a server that allows no session, a command fails with the refused channel, not a lost connection',
  async (t) => {
    const own = await startSshd({ maxSessions: 0 });
    t.teardown(() => own.stop());
    const tr = await connectTo(own);
    t.teardown(() => tr.close());
    const e = await t.throwsAsync(tr.exec(raw('true')));
    t.regex(e!.message, /cannot open an SSH channel on .*: \(SSH\) Channel open failure/);
    t.notRegex(e!.message, /unknown channel/);
  },
);

sshTest("a command's output does not stay on the node once it has been read (it may hold secrets)", async (t) => {
  const tr = await connectTo(sshd);
  t.teardown(() => tr.close());
  const secret = `stackplay-secret-${process.pid}-${Date.now()}`;
  t.is((await tr.exec(raw(`echo ${secret}; echo ${secret} >&2`))).stdout, `${secret}\n`);
  await tr.exec(raw('true'));
  const dirs = readdirSync('/tmp')
    .filter((d) => d.startsWith('tmp.'))
    .map((d) => join('/tmp', d));
  const holding = dirs
    .flatMap((d) => {
      try {
        return readdirSync(d).map((f) => join(d, f));
      } catch {
        return [];
      }
    })
    .filter((f) => {
      try {
        return readFileSync(f, 'utf8').includes(secret);
      } catch {
        return false;
      }
    });
  t.deepEqual(holding, []);
});

sshTest(
  "the end marker is not in the shell's command line (where any local user could read it); one shell after it died under two waiting commands",
  async (t) => {
    const own = await startSshd();
    t.teardown(() => own.stop());
    const tr = await connectTo(own);
    t.teardown(() => tr.close());
    const cmdline = await parentOf(tr);
    t.regex(cmdline, /__sp_/);
    t.false(cmdline.includes('\u0001'), cmdline);
    await tr.exec(raw('kill -KILL $$'));
    const [a, b] = await Promise.all([tr.exec(raw('echo $$')), tr.exec(raw('echo $$'))]);
    t.is(a.code, 0);
    t.is(b.code, 0);
    const shells = descendantsOf(own.pid).filter((p) => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('__sp_d=');
      } catch {
        return false;
      }
    });
    t.is(shells.length, 1, `command shells running: ${shells.join(' ')}`);
  },
);

/** Runs the loop itself under `shell` with two requests on stdin, as the controller sends them. */
function runLoopUnder(
  shell: string,
  commands: (string | { text: string; guard: string })[],
  env?: NodeJS.ProcessEnv,
): { stdout: string; stderr: string; status: number | null } {
  const mark = '\u0001spmtest';
  const request = (c: string | { text: string; guard: string }, i: number) => {
    const text = typeof c === 'string' ? c : c.text;
    return `${i + 1} ${text.split('\n').length}${typeof c === 'string' ? '' : ` ${c.guard}`}\n${text}`;
  };
  const input = `${[mark, ...commands.map(request)].join('\n')}\n`;
  const r = spawnSync(shell, ['-c', sessionScript()], {
    input,
    encoding: 'latin1',
    timeout: 60_000,
    ...(env ? { env: { ...process.env, ...env } } : {}),
  });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

for (const shell of ['/bin/dash', '/bin/bash']) {
  test(`the loop works under ${shell} (a login shell may be either)`, (t) => {
    if (!existsSync(shell)) {
      t.pass(`${shell} is not installed`);
      return;
    }
    const r = runLoopUnder(shell, [
      'echo one; echo err >&2; exit 3',
      'printf "two\\\\"\nprintf " three"',
      'echo "${__sp_id:-clean}"',
    ]);
    t.is(r.status, 0, r.stderr);
    // The ready line says printf is built in (both have it) and names the shell's own folder (for cancelAhead's stop file).
    t.true(/^spmtestready p \/\S+\n/.test(r.stdout.slice(1)) && r.stdout.startsWith('\u0001'), r.stdout);
    t.is(
      r.stdout.replace(/ p \/\S+\n/, '\n'),
      '\u0001spmtestready\none\n\u0001spmtest1:3\ntwo\\ three\u0001spmtest2:0\nclean\n\u0001spmtest3:0\n',
    );
    t.is(r.stderr, '\u0001spmtestready\nerr\n\u0001spmtest1\n\u0001spmtest2\n\u0001spmtest3\n');
  });
}

for (const shell of ['/bin/dash', '/bin/bash']) {
  test(`under ${shell}, read-only probes (marked o) give the same frames as other commands, guarded or not`, (t) => {
    if (!existsSync(shell)) {
      t.pass(`${shell} is not installed`);
      return;
    }
    const r = runLoopUnder(shell, [
      'echo a; printf "b" >&2; exit 2',
      { text: 'echo a; printf "b" >&2; exit 2', guard: '- o' },
      { text: 'echo skipped', guard: '0 o' },
      'echo c',
      { text: 'printf "d"; echo e >&2', guard: '0 p o' },
      { text: 'echo "${__sp_o:-clean}"', guard: '- o' },
      // Where the output goes: a file of the command's own, or the shell's own stream.
      '[ -f /dev/stdout ] && echo file || echo stream',
      { text: '[ -f /dev/stdout ] && echo file || echo stream', guard: '- o' },
    ]);
    t.is(r.status, 0, r.stderr);
    t.is(
      r.stdout.slice(r.stdout.indexOf('\n') + 1),
      'a\n\u0001spmtest1:2\na\n\u0001spmtest2:2\n\u0001spmtest3:skip\nc\n\u0001spmtest4:0\nd\u0001spmtest5:0\nclean\n\u0001spmtest6:0\nfile\n\u0001spmtest7:0\nstream\n\u0001spmtest8:0\n',
    );
    t.is(
      r.stderr,
      '\u0001spmtestready\nb\u0001spmtest1\nb\u0001spmtest2\n\u0001spmtest3\n\u0001spmtest4\ne\n\u0001spmtest5\n\u0001spmtest6\n\u0001spmtest7\n\u0001spmtest8\n',
    );
  });
}

for (const shell of ['/bin/dash', '/bin/bash']) {
  test(`under ${shell}, steps marked cancellable stop at the shell's stop file; plain guarded ones do not`, (t) => {
    if (!existsSync(shell)) {
      t.pass(`${shell} is not installed`);
      return;
    }
    const tmp = mkdtempSync(join(tmpdir(), 'stackplay-loop-'));
    try {
      const r = runLoopUnder(
        shell,
        [
          'echo first',
          { text: 'echo guarded', guard: '0' },
          { text: 'echo ahead', guard: '0 c' },
          // What cancelAhead does, from inside: the stop file in the shell's own folder.
          { text: 'for d in "$TMPDIR"/*/; do : > "$d/stop"; done; echo stopped', guard: '0' },
          { text: 'echo plain', guard: '0' },
          { text: 'echo cancelled', guard: '0 c' },
          { text: 'echo after-skip', guard: '0' },
          'echo unguarded',
        ],
        { TMPDIR: tmp },
      );
      t.is(r.status, 0, r.stderr);
      const body = r.stdout.slice(r.stdout.indexOf('\n') + 1);
      t.is(
        body,
        [
          'first\n\u0001spmtest1:0',
          'guarded\n\u0001spmtest2:0',
          'ahead\n\u0001spmtest3:0',
          'stopped\n\u0001spmtest4:0',
          'plain\n\u0001spmtest5:0',
          '\u0001spmtest6:skip',
          '\u0001spmtest7:skip',
          'unguarded\n\u0001spmtest8:0\n',
        ].join('\n'),
      );
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
}

sshTest(
  'followers run after the command in the same round trip, in order, each with its own output and exit',
  async (t) => {
    const ssh = await connectTo(sshd);
    try {
      await ssh.exec(raw('true'));
      const before = ssh.roundTrips();
      const cases = [
        { ...raw('cat /tmp/stackplay-follow-$PPID 2>/dev/null || echo none; echo err >&2; exit 3'), readOnly: true },
        { ...raw('head -c 300000 /dev/zero | tr "\\0" y; echo; printf "no newline" >&2'), readOnly: true },
        { ...raw('printf ""'), readOnly: true },
        { ...raw('printf "a\\nb\\n"; exit 1'), readOnly: true },
      ];
      let got: ({ code: number | null; stdout: string; stderr: string } | undefined)[] = [];
      const main = await ssh.exec(raw('echo first; echo oops >&2'), {
        followers: { cmds: cases, done: (r) => (got = r) },
      });
      t.is(ssh.roundTrips() - before, 1, 'the command and its followers are one round trip');
      t.deepEqual([main.code, main.stdout, main.stderr], [0, 'first\n', 'oops\n']);
      const one = await Promise.all(cases.map((c) => ssh.exec({ ...c, readOnly: false })));
      t.deepEqual(
        got.map((r) => r && [r.code, r.stdout, r.stderr]),
        one.map((r) => [r.code, r.stdout, r.stderr]),
        'each follower gives what it gives alone',
      );
    } finally {
      await ssh.close();
    }
  },
);

sshTest(
  'a small write with followers goes through the shell: one round trip, the followers see the new file',
  async (t) => {
    const ssh = await connectTo(sshd);
    const dir = mkdtempSync(join(tmpdir(), 'stackplay-follow-'));
    const path = join(dir, 'follow-write.txt');
    try {
      await ssh.exec(raw('true'));
      const before = ssh.roundTrips();
      let got: ({ stdout: string } | undefined)[] = [];
      const probe = { ...sh`cat -- ${path}; stat -c %a -- ${path}`, readOnly: true };
      await ssh.write(path, 'new content\n', { mode: '0640', followers: { cmds: [probe], done: (r) => (got = r) } });
      t.is(ssh.roundTrips() - before, 1);
      t.is(got[0]?.stdout, 'new content\n640\n');
      await ssh.write(path, 'again\n', { followers: { cmds: [probe], done: (r) => (got = r) } });
      t.is(got[0]?.stdout, 'again\n640\n', 'an overwrite keeps the mode');
      t.deepEqual(
        readdirSync(dir).filter((f) => f.includes('.stackplay-')),
        [],
        'no temp file is left',
      );
      const refused = await t.throwsAsync(ssh.write(dir, 'x', { followers: { cmds: [probe], done: () => undefined } }));
      t.regex(refused?.message ?? '', /cannot write .*directory/);
    } finally {
      await ssh.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

sshTest('chained steps run after the command in its round trip, each only if the one before succeeded', async (t) => {
  const ssh = await connectTo(sshd);
  const dir = mkdtempSync(join(tmpdir(), 'stackplay-chain-'));
  const mark = (name: string) => sh`touch -- ${join(dir, name)}; echo ${name}`;
  try {
    await ssh.exec(raw('true'));
    const chain = async (main: Command, steps: { cmd: Command; after: number[] }[]) => {
      let got: ({ code: number | null; stdout: string } | undefined)[] = [];
      const before = ssh.roundTrips();
      const r = await ssh.exec(main, {
        followers: { steps, stepsDone: (x) => (got = x), cmds: [], done: () => undefined },
      });
      t.is(ssh.roundTrips() - before, 1, 'one round trip');
      return [r.code, ...got.map((x) => (x ? `${x.code}:${x.stdout.trim()}` : 'not run'))];
    };
    t.deepEqual(
      await chain(raw('true'), [
        { cmd: mark('a'), after: [0] },
        { cmd: mark('b'), after: [0] },
      ]),
      [0, '0:a', '0:b'],
    );
    t.deepEqual(
      await chain(raw('exit 3'), [{ cmd: mark('c'), after: [0] }]),
      [3, 'not run'],
      'a failed command stops the chain',
    );
    t.deepEqual(
      await chain(raw('exit 3'), [
        { cmd: mark('d'), after: [0, 3] },
        { cmd: raw('exit 1'), after: [0] },
        { cmd: mark('e'), after: [0] },
        { cmd: mark('f'), after: [0] },
      ]),
      [3, '0:d', '1:', 'not run', 'not run'],
      'a step runs on any of its codes; once one fails, none after it runs',
    );
    t.deepEqual(readdirSync(dir).sort(), ['a', 'b', 'd'], 'only the steps that ran touched the host');
  } finally {
    await ssh.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

sshTest(
  'a chain holds probes that keep its code, small writes, and guards that run probes again and compare their answers',
  async (t) => {
    const ssh = await connectTo(sshd);
    const dir = mkdtempSync(join(tmpdir(), 'stackplay-guard-'));
    const file = join(dir, 'f');
    const probe = readOnly(sh`cat -- ${file}; echo "[$?]" >&2`);
    try {
      const before = await ssh.exec(probe);
      const chain = async (main: Command, steps: ChainedStep[]) => {
        let got: (ExecResult | undefined)[] = [];
        const trips = ssh.roundTrips();
        const r = await ssh.exec(main, {
          followers: { steps, stepsDone: (x) => (got = x), cmds: [], done: () => undefined },
        });
        t.is(ssh.roundTrips() - trips, 1, 'one round trip');
        return [r.code, ...got.map((x) => (x ? `${x.code}:${x.stdout.trim()}` : 'not run'))];
      };
      t.deepEqual(
        await chain(raw('exit 3'), [
          { cmd: raw('echo p; exit 7'), keepsCode: true, after: [3] },
          { cmd: raw('echo s'), after: [3] },
          { cmd: raw('echo q; exit 0'), keepsCode: true, after: [0] },
          { cmd: raw('echo never'), after: [1] },
        ]),
        [3, '7:p', '0:s', '0:q', 'not run'],
        'a probe in the chain reports its own code and leaves the chain’s: the next step is guarded by the one before the probe',
      );
      t.deepEqual(
        await chain(raw('exit 1'), [
          { cmd: raw('echo p'), keepsCode: true, after: [0] },
          { cmd: raw('echo s'), after: [0, 1] },
        ]),
        [1, 'not run', 'not run'],
        'a probe whose guard fails is skipped, and so is what follows',
      );
      t.deepEqual(
        await chain(raw('true'), [
          { guard: [{ cmd: probe, expect: before }], after: [0] },
          { write: { path: file, content: 'one\n', mode: '0640' }, after: [0] },
          { cmd: probe, keepsCode: true, after: [0] },
          { guard: [{ cmd: probe, expect: before }], after: [0] },
          { write: { path: file, content: 'two\n' }, after: [0] },
        ]),
        [0, '0:', '0:', '0:one', '1:', 'not run'],
        'a guard whose probe answers as before lets its write run; once the answer differs, nothing after it runs',
      );
      t.is(readFileSync(file, 'utf8'), 'one\n');
      t.is((statSync(file).mode & 0o777).toString(8), '640');
      const now = await ssh.exec(probe);
      t.deepEqual(
        await chain(raw('true'), [
          {
            guard: [
              { cmd: probe, expect: now },
              { cmd: raw('true'), expect: { code: 0, stdout: '', stderr: '' } },
            ],
            after: [0],
          },
          { write: { path: file, content: 'three\n' }, after: [0] },
          { guard: [{ cmd: raw('printf x'), expect: { code: 0, stdout: 'x', stderr: 'x' } }], after: [0] },
        ]),
        [0, '0:', '0:', '1:'],
        'every probe of a guard must answer the same: stdout, code and stderr',
      );
      t.is(readFileSync(file, 'utf8'), 'three\n');
      t.deepEqual(
        await chain(raw('true'), [{ write: { path: file, content: 'x'.repeat(SHELL_WRITE_MAX + 1) }, after: [0] }]),
        [0, 'not run'],
        'content too large for the shell is left to the caller',
      );
      const answer = (stdout: string, code = 0, stderr = '') => ({ code, stdout, stderr });
      const guard = (text: string, expect: ReturnType<typeof answer>): ChainedStep => ({
        guard: [{ cmd: readOnly(raw(text)), expect }],
        after: [0],
      });
      t.deepEqual(
        await chain(raw('true'), [
          guard('echo x', answer('x\n')),
          guard('(exit 3)', answer('', 3)),
          guard('printf "a\\n\\n"', answer('a\n\n')),
          guard('echo "it\'s"', answer("it's\n")),
        ]),
        [0, '0:', '0:', '0:', '0:'],
        'an answer without stderr is compared as text: output, trailing newlines and exit code',
      );
      for (const [text, expect, why] of [
        ['echo x', answer('x'), 'a trailing newline less'],
        ['(exit 3)', answer(''), 'another exit code'],
        ['echo x; echo e >&2', answer('x\n'), 'stderr where there was none'],
        ['echo y', answer('x\n'), 'other output'],
      ] as const)
        t.deepEqual(await chain(raw('true'), [guard(text, expect)]), [0, '1:'], why);
      await chain(raw('true'), [
        { write: { path: join(dir, 'm1'), content: 'a', mode: '0640' }, after: [0] },
        { write: { path: join(dir, 'm2'), content: 'b', mode: '0755' }, after: [0] },
        { write: { path: join(dir, 'm3'), content: 'c', mode: '4750' }, after: [0] },
      ]);
      t.deepEqual(
        ['m1', 'm2', 'm3'].map((f) => (statSync(join(dir, f)).mode & 0o7777).toString(8)),
        ['640', '755', '4750'],
        'every mode, whether the file is made with it or changed to it',
      );
    } finally {
      await ssh.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

// printf, when not built in, is a program whose arguments any local user can read: a shell write's content must not go there.
sshTest(
  'a login shell without printf built in: shell writes send their content through base64, not printf',
  async (t) => {
    const own = await startSshd({
      home: {
        '.bashrc': [
          'enable -n printf',
          // A folder with "builtin" in its name, which `command -V printf` then names.
          'mkdir -p "$HOME/builtins"',
          `echo '#!/bin/sh' > "$HOME/builtins/printf"`,
          `echo 'echo "$*" >> "$HOME/printf.log"; exec /usr/bin/printf "$@"' >> "$HOME/builtins/printf"`,
          'chmod +x "$HOME/builtins/printf"; PATH="$HOME/builtins:$PATH"',
          '',
        ].join('\n'),
      },
    });
    t.teardown(() => own.stop());
    const tr = await connectTo(own);
    t.teardown(() => tr.close());
    t.regex(await parentOf(tr), /__sp_/);
    const secret = `stackplay-secret-${process.pid}-${Date.now()}`;
    const file = join(own.dir, 'written');
    await tr.write(file, `${secret}\n`, { followers: { cmds: [], done: () => undefined } });
    t.is(readFileSync(file, 'utf8'), `${secret}\n`);
    const log = readFileSync(join(own.dir, 'home', 'printf.log'), 'utf8');
    t.regex(log, /ready/, 'the shell ran the printf program (its ready line)');
    t.false(log.includes(secret), log);
  },
);
