// The SSH transport against a real sshd: exec, stdin, concurrency, timeouts, atomic writes, reads, failures.
import test from 'ava';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sh } from '../../src/command.js';
import { UnreachableError } from '../../src/errors.js';
import { CommandTimeoutError, FileTransferError } from '../../src/transport/errors.js';
import { startSshd, type Sshd } from '../helpers/sshd.js';
import { connectTo, leftovers, processesWith, sshdAvailable, sshTest, startedUnder, waitUntil } from './util.js';

let sshd: Sshd;
let tight: Sshd;
let work = '';

test.before(async () => {
  if (!sshdAvailable) return;
  work = mkdtempSync(join(tmpdir(), 'stackplay-ssh-'));
  [sshd, tight] = await Promise.all([startSshd(), startSshd({ maxSessions: 3 })]);
});
test.after.always(async () => {
  await Promise.all([sshd?.stop(), tight?.stop()]);
  if (work) rmSync(work, { recursive: true, force: true });
});

sshTest('exec returns exit code, stdout and stderr; a non-zero exit is a value', async (t) => {
  const ssh = await connectTo(sshd);
  t.teardown(() => ssh.close());
  const ok = await ssh.exec(sh`echo hello ${'a b'}`);
  t.like(ok, { code: 0, signal: null, stdout: 'hello a b\n', stderr: '' });
  t.true(ok.ms >= 0);
  t.like(await ssh.exec(sh`echo oops >&2; exit 7`), { code: 7, stdout: '', stderr: 'oops\n' });
  // Through the command shell $$ is the shell itself: killing it leaves no exit status (and the next command gets a new shell).
  t.like(await ssh.exec(sh`kill -TERM $$`), { code: null, signal: null });
  t.like(await ssh.exec(sh`sh -c 'kill -TERM $$'`), { code: 143, signal: null });
  t.like(await ssh.exec(sh`echo again`), { code: 0, stdout: 'again\n' });
  const plain = await connectTo(sshd, { stackplay_shell_session: 'false' });
  t.teardown(() => plain.close());
  t.like(await plain.exec(sh`kill -TERM $$`), { code: null, signal: 'SIGTERM' });
});

sshTest('exec feeds stdin, closes it when there is none, and streams output in order', async (t) => {
  const ssh = await connectTo(sshd);
  t.teardown(() => ssh.close());
  t.is((await ssh.exec(sh`cat`, { stdin: 'line 1\nline 2\n' })).stdout, 'line 1\nline 2\n');
  t.is((await ssh.exec(sh`cat`)).stdout, '', 'cat sees EOF at once');
  const big = 'x'.repeat(3 * 1024 * 1024);
  t.is((await ssh.exec(sh`wc -c`, { stdin: big })).stdout.trim(), String(big.length));
  const chunks: string[] = [];
  const r = await ssh.exec(sh`for i in 1 2 3; do printf 'é%s' $i; done; echo done >&2`, {
    onOutput: (s, c) => chunks.push(`${s}:${c}`),
  });
  t.is(r.stdout, 'é1é2é3');
  t.is(
    chunks
      .filter((c) => c.startsWith('stdout:'))
      .map((c) => c.slice(7))
      .join(''),
    'é1é2é3',
  );
  t.true(chunks.includes('stderr:done\n'));
});

sshTest('40 commands at once share one connection through the channel limit', async (t) => {
  const ssh = await connectTo(sshd);
  t.teardown(() => ssh.close());
  const results = await Promise.all(Array.from({ length: 40 }, (_, i) => ssh.exec(sh`sleep 0.1; echo ${i}`)));
  t.deepEqual(
    results.map((r) => r.stdout.trim()),
    Array.from({ length: 40 }, (_, i) => String(i)),
  );
  t.true(results.every((r) => r.code === 0));
});

sshTest('channel open failures (server MaxSessions below our limit) are retried until they succeed', async (t) => {
  const ssh = await connectTo(tight, {}, { maxChannels: 12 });
  t.teardown(() => ssh.close());
  const results = await Promise.all(Array.from({ length: 24 }, (_, i) => ssh.exec(sh`sleep 0.05; echo ${i}`)));
  t.deepEqual(
    results.map((r) => r.stdout.trim()),
    Array.from({ length: 24 }, (_, i) => String(i)),
  );
});

sshTest('a command past its timeout is killed on the server and reported clearly', async (t) => {
  const ssh = await connectTo(sshd, {}, { commandTimeoutMs: 60_000 });
  t.teardown(() => ssh.close());
  const marker = `stackplay-timeout-${process.pid}-${Date.now()}`;
  const e = await t.throwsAsync(ssh.exec(sh`echo started; sleep 60; : ${marker}`, { timeoutMs: 500 }), {
    instanceOf: CommandTimeoutError,
  });
  t.is(e?.code, 'E_TIMEOUT');
  t.regex(e?.message ?? '', /command timed out after 0\.5s and was killed: echo started; sleep 60/);
  t.true(await waitUntil(() => processesWith(marker).length === 0), 'the remote command was killed');
  t.is((await ssh.exec(sh`echo still usable`)).stdout, 'still usable\n');
});

sshTest('the connection-wide command timeout applies when the call gives none', async (t) => {
  const ssh = await connectTo(sshd, {}, { commandTimeoutMs: 300 });
  t.teardown(() => ssh.close());
  await t.throwsAsync(ssh.exec(sh`sleep 30`), { instanceOf: CommandTimeoutError });
});

sshTest('write creates the file with its mode through a temp file and leaves no temp behind', async (t) => {
  const ssh = await connectTo(sshd);
  t.teardown(() => ssh.close());
  const dir = mkdtempSync(join(work, 'w-'));
  const target = join(dir, 'app.conf');
  await ssh.write(target, 'port = 80\n', { mode: '0640' });
  t.is(readFileSync(target, 'utf8'), 'port = 80\n');
  t.is(statSync(target).mode & 0o777, 0o640);
  await ssh.write(target, 'port = 81\n');
  t.is(readFileSync(target, 'utf8'), 'port = 81\n');
  t.is(statSync(target).mode & 0o777, 0o640, 'an overwrite keeps the old mode');
  await ssh.write(join(dir, 'new'), 'x');
  t.is(statSync(join(dir, 'new')).mode & 0o777, 0o644, 'a new file defaults to 0644');
  t.deepEqual(leftovers(dir), []);
  await t.throwsAsync(ssh.write(target, 'x', { mode: 'rw-r--r--' }), { instanceOf: RangeError });
});

sshTest('a reader never sees a half-written target while it is replaced', async (t) => {
  const ssh = await connectTo(sshd);
  t.teardown(() => ssh.close());
  const dir = mkdtempSync(join(work, 'atomic-'));
  const target = join(dir, 'big');
  const size = 4 * 1024 * 1024;
  const versions = ['a', 'b', 'c', 'd'].map((c) => c.repeat(size));
  await ssh.write(target, versions[0]!);
  let writing = true;
  let reads = 0;
  const bad: string[] = [];
  const reader = (async () => {
    while (writing) {
      const seen = readFileSync(target, 'latin1');
      reads++;
      if (seen.length !== size || seen !== (seen[0] ?? '').repeat(size))
        bad.push(`length ${seen.length}, starts ${seen.slice(0, 1)}`);
      await new Promise((r) => setImmediate(r));
    }
  })();
  for (const v of versions.slice(1)) await ssh.write(target, v);
  writing = false;
  await reader;
  t.deepEqual(bad, []);
  t.true(reads > 0);
  t.is(readFileSync(target, 'latin1'), versions[3]!);
  t.deepEqual(leftovers(dir), []);
});

sshTest('a failed write leaves the target alone and removes its temp file', async (t) => {
  const ssh = await connectTo(sshd);
  t.teardown(() => ssh.close());
  const dir = mkdtempSync(join(work, 'fail-'));
  mkdirSync(join(dir, 'conf.d'));
  writeFileSync(join(dir, 'conf.d', 'keep'), 'kept');
  const e = await t.throwsAsync(ssh.write(join(dir, 'conf.d'), 'not a dir'), { instanceOf: FileTransferError });
  t.is(e?.code, 'E_WRITE');
  t.regex(e?.message ?? '', new RegExp(`cannot write ${join(dir, 'conf.d')}: `));
  t.is(readFileSync(join(dir, 'conf.d', 'keep'), 'utf8'), 'kept');
  t.deepEqual(leftovers(dir), []);
  await t.throwsAsync(ssh.write(join(dir, 'missing-dir', 'f'), 'x'), {
    instanceOf: FileTransferError,
    message: /cannot write .*missing-dir\/f/,
  });
});

sshTest('read returns content, null for a missing file, and an error for a directory', async (t) => {
  const ssh = await connectTo(sshd);
  t.teardown(() => ssh.close());
  const f = join(work, 'read-me');
  writeFileSync(f, 'contents ü\n');
  t.is(await ssh.read(f), 'contents ü\n');
  t.is(await ssh.read(join(work, 'no-such-file')), null);
  t.is(await ssh.read(join(work, 'no-such-dir', 'f')), null);
  await t.throwsAsync(ssh.read(work), { instanceOf: FileTransferError, message: /cannot read/ });
});

sshTest('a dropped connection rejects pending commands with UnreachableError', async (t) => {
  const ssh = await connectTo(sshd);
  t.teardown(() => ssh.close());
  const pending = ssh.exec(sh`sleep 30`);
  t.true(await startedUnder(sshd.pid, 'sleep 30'), 'the command started');
  // The command's parent is this session's sshd process: killing it drops the connection.
  const killer = ssh.exec(sh`kill -9 $PPID`);
  const e = await t.throwsAsync(pending, { instanceOf: UnreachableError });
  t.regex(e?.message ?? '', /connection to 127\.0\.0\.1:\d+ lost.* while running: sleep 30/);
  await killer.catch(() => undefined);
  await t.throwsAsync(ssh.exec(sh`true`), { instanceOf: UnreachableError });
  await t.throwsAsync(ssh.read('/etc/hostname'), { instanceOf: UnreachableError });
});

sshTest('after close() the transport refuses work', async (t) => {
  const ssh = await connectTo(sshd);
  await ssh.close();
  await t.throwsAsync(ssh.exec(sh`true`), { instanceOf: UnreachableError, message: /closed by stackplay/ });
});

sshTest('a closed port is unreachable at once, with the address in the message', async (t) => {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  const e = await t.throwsAsync(connectTo(sshd, { ansible_port: String(port) }, { connectTimeoutMs: 30_000 }), {
    instanceOf: UnreachableError,
  });
  t.is(e?.host, 'node1');
  t.is(e?.message, `connection refused at 127.0.0.1:${port}`);
});

sshTest('a server that never answers times out after the connect timeout', async (t) => {
  const sockets: Socket[] = [];
  const silent: Server = createServer((s) => {
    sockets.push(s);
    s.resume(); /* accept, say nothing */
  });
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  t.teardown(
    () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        silent.close(() => r());
      }),
  );
  const port = (silent.address() as { port: number }).port;
  const e = await t.throwsAsync(connectTo(sshd, { ansible_port: String(port) }, { connectTimeoutMs: 500 }), {
    instanceOf: UnreachableError,
  });
  t.is(e?.message, `timed out after 0.5s connecting to 127.0.0.1:${port}`);
});

sshTest('a wrong key is an authentication failure naming user, address and what was tried', async (t) => {
  const other = join(work, 'other_key');
  if (!existsSync(other)) {
    const { spawnSync } = await import('node:child_process');
    spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', other]);
  }
  const missing = join(work, 'missing_key');
  const notAKey = join(work, 'not_a_key');
  writeFileSync(notAKey, 'hello');
  chmodSync(notAKey, 0o600);
  const e = await t.throwsAsync(
    connectTo(sshd, {
      ansible_ssh_private_key_file: other,
      ansible_ssh_common_args: `-o UserKnownHostsFile=${sshd.knownHostsFile} -i ${missing} -i ${notAKey}`,
    }),
    { instanceOf: UnreachableError },
  );
  t.true(
    e?.message.startsWith(`authentication failed for root@127.0.0.1:${sshd.port} (tried: publickey ${other})`),
    e?.message,
  );
  t.true(e?.message.includes(`key file ${missing} cannot be read (no such file)`), e?.message);
  t.true(e?.message.includes(`key file ${notAKey} is not a usable private key`));
});
