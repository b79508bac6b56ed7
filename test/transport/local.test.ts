// The local transport: sh -c with stdin, timeouts that kill the whole process group, atomic fs writes.
import test from 'ava';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sh } from '../../src/command.js';
import { connectHost } from '../../src/transport/connect.js';
import { CommandAbortedError, CommandTimeoutError, FileTransferError } from '../../src/transport/errors.js';
import { localTransport } from '../../src/transport/local.js';
import { installFakeSudo } from './fake-sudo.js';
import { checkStreamedWrite, leftovers, processesWith, waitUntil } from './util.js';

const work = mkdtempSync(join(tmpdir(), 'stackplay-local-'));
chmodSync(work, 0o755);
test.after.always(() => rmSync(work, { recursive: true, force: true }));
const local = localTransport('localhost');

test('exec: exit code, stdout, stderr, signal; a non-zero exit is a value', async (t) => {
  t.like(await local.exec(sh`echo out; echo err >&2; exit 3`), {
    code: 3,
    signal: null,
    stdout: 'out\n',
    stderr: 'err\n',
  });
  t.like(await local.exec(sh`kill -KILL $$`), { code: null, signal: 'SIGKILL' });
  t.is(local.host, 'localhost');
});

test('exec: stdin is fed and closed, output is streamed', async (t) => {
  t.is((await local.exec(sh`cat`, { stdin: 'a\nb\n' })).stdout, 'a\nb\n');
  t.is((await local.exec(sh`cat`)).stdout, '');
  const chunks: string[] = [];
  await local.exec(sh`printf 'x'; printf 'y' >&2`, { onOutput: (s, c) => chunks.push(`${s}:${c}`) });
  t.deepEqual(chunks.sort(), ['stderr:y', 'stdout:x']);
});

test('exec: a timeout kills the command and what it started', async (t) => {
  const marker = `stackplay-local-timeout-${process.pid}`;
  const e = await t.throwsAsync(
    local.exec(sh`sh -c ${`sleep 60; : ${marker}-child`} & sleep 60; : ${marker}`, { timeoutMs: 300 }),
    { instanceOf: CommandTimeoutError },
  );
  t.regex(e?.message ?? '', /timed out after 0\.3s/);
  t.true(await waitUntil(() => processesWith(marker).length === 0), 'command and child were killed');
});

test('exec: an abort signal ends the command', async (t) => {
  const ac = new AbortController();
  const p = local.exec(sh`sleep 30`, { signal: ac.signal });
  setTimeout(() => ac.abort(), 100);
  await t.throwsAsync(p, { instanceOf: CommandAbortedError, message: /interrupted while running: sleep 30/ });
});

test('write is atomic with modes; read gives null for a missing file', async (t) => {
  const dir = mkdtempSync(join(work, 'w-'));
  const f = join(dir, 'conf');
  await local.write(f, 'one', { mode: '0600' });
  t.is(readFileSync(f, 'utf8'), 'one');
  t.is(statSync(f).mode & 0o777, 0o600);
  await local.write(f, 'two');
  t.is(statSync(f).mode & 0o777, 0o600, 'an overwrite keeps the mode');
  t.is(await local.read(f), 'two');
  t.is(await local.read(join(dir, 'missing')), null);
  await t.throwsAsync(local.read(dir), { instanceOf: FileTransferError });
  t.deepEqual(leftovers(dir), []);
});

test('a failed write leaves the target and no temp file', async (t) => {
  const dir = mkdtempSync(join(work, 'fail-'));
  mkdirSync(join(dir, 'sub'));
  writeFileSync(join(dir, 'sub', 'keep'), 'k');
  await t.throwsAsync(local.write(join(dir, 'sub'), 'x'), {
    instanceOf: FileTransferError,
    message: /cannot write .*\/sub: /,
  });
  t.is(readFileSync(join(dir, 'sub', 'keep'), 'utf8'), 'k');
  t.deepEqual(leftovers(dir), []);
});

test('a controller file is streamed and checked by size and sha256; bytes unlike the plan are never renamed over', (t) =>
  checkStreamedWrite(t, local, mkdtempSync(join(work, 'stream-')), 2 * 1024 * 1024 + 5, (f) => ({
    ...f,
    size: f.size + 1,
  })));

test('become to the current user needs no sudo', async (t) => {
  const user = (await local.exec(sh`id -un`)).stdout.trim();
  t.is((await local.exec({ ...sh`echo ok`, become: { user, method: 'sudo' } })).stdout, 'ok\n');
});

(process.getuid?.() === 0 ? test : test.skip)(
  'become to another user goes through sudo (stand-in sudo on PATH)',
  async (t) => {
    const bin = installFakeSudo(work);
    const log = join(work, 'sudo.log');
    process.env.PATH = `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`;
    process.env.FAKE_SUDO_LOG = log;
    const nobody = localTransport('localhost');
    const become = { user: 'nobody', method: 'sudo' } as const;
    t.is((await nobody.exec({ ...sh`id -un`, become })).stdout, 'nobody\n');
    t.regex(readFileSync(log, 'utf8'), /^-n -u nobody -H sh -c id -un$/m);
    const dir = mkdtempSync(join(work, 'nobody-'));
    chmodSync(dir, 0o755);
    chownSync(dir, 65534, 65534);
    await nobody.write(join(dir, 'f'), 'by nobody\n', { become, mode: '0640' });
    t.like(statSync(join(dir, 'f')), { uid: 65534, mode: 0o100640 });
    t.is(await nobody.read(join(dir, 'f'), { become }), 'by nobody\n');
    t.is(await nobody.read(join(dir, 'none'), { become }), null);
    t.deepEqual(leftovers(dir), []);
  },
);

test('connectHost picks the local transport for localhost with no connection vars', async (t) => {
  const tr = await connectHost(
    { name: 'localhost', groups: [], vars: {} },
    { connectionDefaults: { sshConfigFile: null } },
  );
  t.teardown(() => tr.close());
  t.is(tr.host, 'localhost');
  t.is((await tr.exec(sh`echo local`)).stdout, 'local\n');
});
