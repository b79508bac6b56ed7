// A host whose login rc files print noise (pyenv init on a half-configured machine): results hold none of it.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from '../../src/command.js';
import { AfterStartMark, newStartMark, withStartMark } from '../../src/transport/login-noise.js';
import { startSshd, type Sshd } from '../helpers/sshd.js';
import { recapOf, runCli } from '../integration/cli.js';
import { connectTo, sshdAvailable, sshTest } from './util.js';

const RC = readFileSync(fileURLToPath(new URL('../fixtures/noisy-login/rc.sh', import.meta.url)), 'utf8');
const NOISE = /pyenv/;

let sshd: Sshd;
test.before(async () => {
  if (sshdAvailable) sshd = await startSshd({ home: { '.bashrc': RC, '.profile': RC } });
});
test.after.always(async () => {
  await sshd?.stop();
});

const raw = (text: string): Command => ({ text, display: text, readOnly: false });

/** The system ssh client, never ~/.ssh: what any tool sees from this host. */
function plainSsh(s: Sshd, command: string) {
  return spawnSync(
    'ssh',
    [
      ...['-F', '/dev/null', '-i', s.userKeyFile, '-p', String(s.port), '-o', `UserKnownHostsFile=${s.knownHostsFile}`],
      ...['-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes', `${s.user}@${s.host}`, command],
    ],
    { encoding: 'utf8', timeout: 60_000 },
  );
}

sshTest('the host is noisy: a plain ssh command gets the rc files on stderr, from the test home', async (t) => {
  const r = plainSsh(sshd, 'echo "$HOME"');
  t.is(r.status, 0, r.stderr);
  t.regex(r.stderr, NOISE);
  t.is(r.stdout, `${userInfo().homedir}\n`, 'the login sees its own home at the usual path');
  t.is(plainSsh(sshd, 'cat ~/.bashrc').stdout, RC, "the home is the test's, not the invoking user's");
});

sshTest('command results hold no rc noise, through the command shell and through exec channels', async (t) => {
  const viaShell = await connectTo(sshd);
  const viaExec = await connectTo(sshd, { stackplay_shell_session: 'false' });
  t.teardown(() => Promise.all([viaShell.close(), viaExec.close()]));
  for (const [how, tr] of [
    ['shell', viaShell],
    ['exec', viaExec],
  ] as const) {
    // The first command races the shell's start-up output; repeated, so a late chunk would show.
    for (let i = 0; i < 3; i++) {
      const r = await tr.exec(raw(`echo out${i}; echo err${i} >&2; exit 3`));
      t.deepEqual([r.code, r.stdout, r.stderr], [3, `out${i}\n`, `err${i}\n`], how);
    }
    t.deepEqual(await tr.exec(raw('true')).then((r) => [r.code, r.stdout, r.stderr]), [0, '', ''], how);
  }
  const streamed: string[] = [];
  const withStdin = await viaShell.exec(raw('cat; echo e >&2'), {
    stdin: 'in\n',
    onOutput: (_s, chunk) => streamed.push(chunk),
  });
  t.deepEqual([withStdin.stdout, withStdin.stderr], ['in\n', 'e\n'], 'an exec channel for stdin');
  t.notRegex(streamed.join(''), NOISE, 'streamed output holds no noise either');
  const timed = await viaShell.exec(raw('echo t; echo u >&2'), { timeoutMs: 60_000 });
  t.deepEqual([timed.stdout, timed.stderr], ['t\n', 'u\n'], 'an exec channel for a time limit');
  const syntax = await viaExec.exec(raw('true\necho "unclosed'));
  t.notRegex(syntax.stderr, NOISE);
  t.regex(syntax.stderr, /line 2: unexpected EOF/, "the shell's message names the command's own line");
  // A first line the login shell cannot parse never runs the start mark: all output is passed on, none hidden.
  const firstLine = await viaExec.exec(raw('echo "unclosed'));
  t.regex(firstLine.stderr, /line 1: unexpected EOF/);
});

sshTest('files go through sftp untouched by the noise', async (t) => {
  const tr = await connectTo(sshd);
  t.teardown(() => tr.close());
  const dir = mkdtempSync(join(tmpdir(), 'stackplay-noisy-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  await tr.write(join(dir, 'f'), 'content\n', { mode: '0640' });
  t.is(await tr.read(join(dir, 'f')), 'content\n');
});

sshTest('a playbook run on a noisy host registers clean output and prints no noise', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'stackplay-noisy-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const vars = Object.entries(sshd.inventoryVars())
    .map(([k, v]) => `${k}='${v}'`)
    .join(' ');
  writeFileSync(join(dir, 'hosts.ini'), `noisy ${vars}\n`);
  writeFileSync(
    join(dir, 'play.yml'),
    [
      '- hosts: all',
      '  tasks:',
      "    - command: sh -c 'echo out; echo err >&2'",
      '      register: r',
      '    - assert:',
      '        that:',
      "          - r.stdout == 'out'",
      "          - r.stderr == 'err'",
      '',
    ].join('\n'),
  );
  const r = await runCli(['run', join(dir, 'play.yml'), '-i', join(dir, 'hosts.ini'), '--output', 'json']);
  t.is(r.code, 0, r.stdout + r.stderr);
  t.is(recapOf(r).noisy!.failed, 0);
  t.notRegex(r.stdout + r.stderr, NOISE);
});

test('output before the start mark is dropped, also when the mark is split across chunks', (t) => {
  const mark = newStartMark();
  const got: Buffer[] = [];
  const s = new AfterStartMark(mark, (b) => got.push(b));
  const all = Buffer.from(`noise\n${mark}result\n`, 'latin1');
  for (let i = 0; i < all.length; i += 3) s.push(all.subarray(i, i + 3));
  s.end();
  t.is(Buffer.concat(got).toString('latin1'), 'result\n');
});

test('a stream without the start mark (the command never started) is passed on whole', (t) => {
  const got: Buffer[] = [];
  const s = new AfterStartMark(newStartMark(), (b) => got.push(b));
  s.push(Buffer.from('bash: line 1: exit from .bashrc\n'));
  t.is(got.length, 0, 'held until the mark or the end');
  s.end();
  t.is(Buffer.concat(got).toString(), 'bash: line 1: exit from .bashrc\n');
});

test('the start mark prefix runs in sh and keeps the exit status and line numbers', (t) => {
  const mark = newStartMark();
  const r = spawnSync('/bin/sh', ['-c', withStartMark('echo noise-free; echo e >&2; exit 5', mark)], {
    encoding: 'latin1',
  });
  t.is(r.status, 5);
  t.is(r.stdout, `${mark}noise-free\n`);
  t.is(r.stderr, `${mark}e\n`);
});
