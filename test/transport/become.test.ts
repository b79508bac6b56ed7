// Privilege escalation over SSH: sudo wrapping, become passwords on stdin, reads and writes as another user.
import test from 'ava';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readOnly, sh, type Become } from '../../src/command.js';
import { connectionOf } from '../../src/transport/connection.js';
import { privilegeFor } from '../../src/privilege.js';
import { becomeWriteCommand } from '../../src/transport/become-files.js';
import { sumOf } from '../../src/file-sum.js';
import { FileTransferError } from '../../src/transport/errors.js';
import { startSshd, type Sshd } from '../helpers/sshd.js';
import { installFakeSudo } from './fake-sudo.js';
import { connectTo, leftovers, sshdAvailable, sshTest } from './util.js';
import { makeControllerFile, sha256OfFile } from '../helpers/controller-file.js';

const NOBODY = 65534;
const realSudo = existsSync('/usr/bin/sudo');
let plain: Sshd;
let guarded: Sshd;
let work = '';
let log = '';

test.before(async () => {
  if (!sshdAvailable) return;
  work = mkdtempSync(join(tmpdir(), 'stackplay-become-'));
  chmodSync(work, 0o755);
  const bin = installFakeSudo(work);
  log = join(work, 'sudo.log');
  const path = `${bin}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`;
  [plain, guarded] = await Promise.all([
    startSshd({ setEnv: { PATH: path, FAKE_SUDO_LOG: log } }),
    startSshd({ setEnv: { PATH: path, FAKE_SUDO_LOG: log, FAKE_SUDO_PASSWORD: 'open sesame' } }),
  ]);
});
test.after.always(async () => {
  await Promise.all([plain?.stop(), guarded?.stop()]);
  if (work) rmSync(work, { recursive: true, force: true });
});

/** The privilege the engine would give a `become: true` task on a host with these vars (src/privilege.ts). */
const becomeOf = (vars: Record<string, unknown>): Become =>
  privilegeFor(connectionOf({ name: 'node', groups: [], vars }, { sshConfigFile: null }).become, { become: true })!;

const sudoLog = () => (existsSync(log) ? readFileSync(log, 'utf8') : '');
const asNobody = { ansible_become_user: 'nobody' };

/** A folder nobody may write to, inside the world-readable work folder. */
function nobodyDir(): string {
  const d = mkdtempSync(join(work, 'nobody-'));
  chmodSync(d, 0o755);
  chownSync(d, NOBODY, NOBODY);
  return d;
}

sshTest('a become command runs through sudo as the become user', async (t) => {
  const ssh = await connectTo(plain, asNobody);
  t.teardown(() => ssh.close());
  const r = await ssh.exec({ ...sh`id -un; echo "$HOME"`, become: becomeOf(asNobody) });
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout, `nobody\n/nonexistent\n`);
  t.regex(sudoLog(), /^-n -u nobody -H sh -c id -un; echo "\$HOME"$/m);
  t.is((await ssh.exec(sh`id -un`)).stdout, 'root\n', 'without become, no sudo');
});

sshTest(
  'ansible_become on the host wins over a task that says become: false (Ansible: vars beat keywords)',
  async (t) => {
    const vars = { ...asNobody, ansible_become: 'yes' };
    const ssh = await connectTo(plain, vars);
    t.teardown(() => ssh.close());
    const become = privilegeFor(connectionOf({ name: 'node', groups: [], vars }, { sshConfigFile: null }).become, {
      become: false,
    });
    t.truthy(become);
    t.is((await ssh.exec({ ...sh`id -un`, ...(become ? { become } : {}) })).stdout, 'nobody\n');
    t.is((await ssh.exec(sh`id -un`)).stdout, 'root\n', 'a command given no privilege runs as the login user');
  },
);

sshTest('become to the user already connected skips sudo (it may not even be installed)', async (t) => {
  const ssh = await connectTo(plain, { ansible_become: true });
  t.teardown(() => ssh.close());
  const marker = `no-sudo-${Date.now()}`;
  t.is((await ssh.exec({ ...sh`id -un; : ${marker}`, become: becomeOf({ ansible_become: true }) })).stdout, 'root\n');
  t.false(sudoLog().includes(marker));
});

sshTest('a become password goes to sudo on stdin, ahead of the command input, never on the command line', async (t) => {
  const ssh = await connectTo(guarded, { ...asNobody, ansible_become_password: 'open sesame' });
  t.teardown(() => ssh.close());
  const r = await ssh.exec(
    { ...sh`id -un; cat`, become: becomeOf({ ...asNobody, ansible_become_password: 'open sesame' }) },
    { stdin: 'input for the command\n' },
  );
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout, 'nobody\ninput for the command\n');
  t.false(sudoLog().includes('open sesame'));
  t.regex(sudoLog(), /^-S -p {2}-u nobody -H sh -c id -un; cat$/m);
});

sshTest('a wrong become password is a failed command, not an exception', async (t) => {
  const ssh = await connectTo(guarded, { ...asNobody, ansible_become_password: 'wrong' });
  t.teardown(() => ssh.close());
  t.like(await ssh.exec({ ...sh`id -un`, become: becomeOf({ ...asNobody, ansible_become_password: 'wrong' }) }), {
    code: 1,
    stdout: '',
    stderr: 'Sorry, try again.\n',
  });
  const none = await connectTo(guarded, asNobody);
  t.teardown(() => none.close());
  t.like(await none.exec({ ...sh`id -un`, become: becomeOf(asNobody) }), {
    code: 1,
    stderr: 'sudo: a password is required\n',
  });
});

sshTest('write with become: temp file beside the target, mode set, renamed over, as the become user', async (t) => {
  const ssh = await connectTo(guarded, { ...asNobody, ansible_become_password: 'open sesame' });
  t.teardown(() => ssh.close());
  const dir = nobodyDir();
  const target = join(dir, 'conf');
  await ssh.write(target, 'one\n', {
    become: becomeOf({ ...asNobody, ansible_become_password: 'open sesame' }),
    mode: '0600',
  });
  t.is(readFileSync(target, 'utf8'), 'one\n');
  t.like(statSync(target), { uid: NOBODY, mode: 0o100600 });
  await ssh.write(target, 'two ü\n', { become: becomeOf({ ...asNobody, ansible_become_password: 'open sesame' }) });
  t.is(readFileSync(target, 'utf8'), 'two ü\n');
  t.is(statSync(target).mode & 0o777, 0o600, 'an overwrite keeps the mode');
  await ssh.write(join(dir, 'fresh'), 'x', {
    become: becomeOf({ ...asNobody, ansible_become_password: 'open sesame' }),
  });
  t.is(statSync(join(dir, 'fresh')).mode & 0o777, 0o644);
  t.deepEqual(leftovers(dir), []);
});

sshTest(
  'a small write with become and probes to follow goes through the command shell: one round trip, content on no command line',
  async (t) => {
    const ssh = await connectTo(plain, asNobody);
    t.teardown(() => ssh.close());
    const dir = nobodyDir();
    const target = join(dir, 'conf');
    const secret = 'the content 5e3f9a\n';
    const probe = { ...readOnly(sh`stat -c %U:%a -- ${target}`), become: becomeOf(asNobody) };
    let seen: (string | undefined)[] = [];
    await ssh.exec(sh`true`);
    const before = ssh.roundTrips();
    await ssh.write(target, secret, {
      become: becomeOf(asNobody),
      mode: '0640',
      followers: { cmds: [probe], done: (r) => (seen = r.map((x) => x?.stdout)) },
    });
    t.is(ssh.roundTrips() - before, 1, 'the write and its probe in one round trip');
    t.deepEqual(seen, ['nobody:640\n'], 'the probe ran after the write, as the become user');
    t.is(readFileSync(target, 'utf8'), secret);
    t.like(statSync(target), { uid: NOBODY, mode: 0o100640 });
    await ssh.write(target, 'two\n', { become: becomeOf(asNobody), followers: { cmds: [], done: () => undefined } });
    t.is(statSync(target).mode & 0o777, 0o640, 'an overwrite keeps the mode');
    t.false(sudoLog().includes('5e3f9a'), 'the content never reached sudo’s command line');
    t.false(sudoLog().includes(Buffer.from(secret).toString('base64')), 'nor its base64');
    t.deepEqual(leftovers(dir), []);
    const e = await t.throwsAsync(
      ssh.write(join(dir, 'missing', 'f'), 'x', {
        become: becomeOf(asNobody),
        followers: { cmds: [], done: () => undefined },
      }),
      { instanceOf: FileTransferError },
    );
    t.regex(e?.message ?? '', new RegExp(`cannot write ${dir}/missing/f: .*Directory nonexistent`));
    // A folder where the file was planned: refused, not written into (both ways of writing with become).
    const folder = join(dir, 'now-a-folder');
    mkdirSync(folder);
    chownSync(folder, NOBODY, NOBODY);
    for (const followers of [{ followers: { cmds: [], done: () => undefined } }, {}]) {
      const refused = await t.throwsAsync(ssh.write(folder, 'x', { become: becomeOf(asNobody), ...followers }), {
        instanceOf: FileTransferError,
      });
      t.regex(refused?.message ?? '', /it is a directory/);
    }
    t.deepEqual(readdirSync(folder), [], 'nothing was put inside it');
  },
);

sshTest('write with become fails clearly where the become user may not write, leaving nothing behind', async (t) => {
  const ssh = await connectTo(plain, asNobody);
  t.teardown(() => ssh.close());
  const dir = mkdtempSync(join(work, 'rootonly-'));
  chmodSync(dir, 0o755);
  const e = await t.throwsAsync(ssh.write(join(dir, 'f'), 'x', { become: becomeOf(asNobody) }), {
    instanceOf: FileTransferError,
  });
  t.regex(e?.message ?? '', new RegExp(`cannot write ${dir}/f: .*Permission denied`));
  t.deepEqual(leftovers(dir), []);
});

sshTest('a truncated transfer is never renamed over the target', async (t) => {
  const ssh = await connectTo(plain, asNobody);
  t.teardown(() => ssh.close());
  const dir = nobodyDir();
  const target = join(dir, 'conf');
  writeFileSync(target, 'original');
  chownSync(target, NOBODY, NOBODY);
  const content = 'the full new content\n';
  const r = await ssh.exec(becomeWriteCommand(target, sumOf(content), '0644', becomeOf(asNobody)), {
    stdin: content.slice(0, 8),
  });
  t.not(r.code, 0);
  t.regex(r.stderr, /received a truncated file/);
  t.is(readFileSync(target, 'utf8'), 'original');
  t.deepEqual(leftovers(dir), []);
});

sshTest('read with become: content, null when absent, an error when the user may not read it', async (t) => {
  const ssh = await connectTo(plain, asNobody);
  t.teardown(() => ssh.close());
  const dir = nobodyDir();
  writeFileSync(join(dir, 'readable'), 'hello\n');
  t.is(await ssh.read(join(dir, 'readable'), { become: becomeOf(asNobody) }), 'hello\n');
  t.is(await ssh.read(join(dir, 'absent'), { become: becomeOf(asNobody) }), null);
  const secret = join(work, 'root-only');
  writeFileSync(secret, 'secret');
  chmodSync(secret, 0o600);
  await t.throwsAsync(ssh.read(secret, { become: becomeOf(asNobody) }), {
    instanceOf: FileTransferError,
    message: /cannot read .*root-only: .*Permission denied/,
  });
});

sshTest('a read-only probe keeps its become flag through sudo', async (t) => {
  const ssh = await connectTo(plain, asNobody);
  t.teardown(() => ssh.close());
  t.is((await ssh.exec({ ...readOnly(sh`id -un`), become: becomeOf(asNobody) })).stdout, 'nobody\n');
});

(realSudo ? sshTest : test.skip)('the real sudo runs a become command (sudo -n, as root to nobody)', async (t) => {
  const real = await startSshd();
  t.teardown(() => real.stop());
  const ssh = await connectTo(real, asNobody);
  t.teardown(() => ssh.close());
  const r = await ssh.exec({ ...sh`id -un`, become: becomeOf(asNobody) });
  t.is(r.stdout, 'nobody\n', r.stderr);
});
if (!realSudo)
  test('real sudo tests are skipped', (t) => {
    t.log('sudo is not installed: become runs against a stand-in sudo only');
    t.pass();
  });

sshTest(
  'write with become streams a controller file behind the password on stdin, checked by size and sha256',
  async (t) => {
    const vars = { ...asNobody, ansible_become_password: 'open sesame' };
    const ssh = await connectTo(guarded, vars);
    t.teardown(() => ssh.close());
    const dir = nobodyDir();
    const source = makeControllerFile(join(work, `source-${Date.now()}.bin`), 3 * 1024 * 1024 + 7);
    t.teardown(() => rmSync(source.file, { force: true }));
    const target = join(dir, 'copy.bin');
    await ssh.write(target, source, { become: becomeOf(vars), mode: '0600' });
    t.is(await sha256OfFile(target), source.sha256);
    t.like(statSync(target), { uid: NOBODY, mode: 0o100600 });
    const stale = { ...source, sha256: 'f'.repeat(64) };
    const e = await t.throwsAsync(ssh.write(target, stale, { become: becomeOf(vars) }), {
      instanceOf: FileTransferError,
    });
    t.regex(e?.message ?? '', /do not match the planned sha256/);
    t.is(await sha256OfFile(target), source.sha256, 'the target is untouched');
    t.deepEqual(leftovers(dir), []);
  },
);
