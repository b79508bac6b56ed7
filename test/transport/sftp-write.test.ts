// Atomic SFTP writes send write, chmod and close at once: content of many chunks lands in order, empty files work.
import test from 'ava';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSshd, type Sshd } from '../helpers/sshd.js';
import { checkStreamedWrite, connectTo, leftovers, sshdAvailable, sshTest } from './util.js';

let sshd: Sshd;
let work = '';

test.before(async () => {
  if (!sshdAvailable) return;
  work = mkdtempSync(join(tmpdir(), 'stackplay-sftpw-'));
  sshd = await startSshd();
});
test.after.always(async () => {
  await sshd?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

sshTest(
  'content over many 32 KB chunks, with multi-byte characters, arrives byte for byte with its mode',
  async (t) => {
    const ssh = await connectTo(sshd);
    t.teardown(() => ssh.close());
    const dir = mkdtempSync(join(work, 'w-'));
    const target = join(dir, 'big.txt');
    const content = Array.from({ length: 20_000 }, (_, i) => `line ${i} é ✓ ${'x'.repeat(i % 37)}\n`).join('');
    await ssh.write(target, content, { mode: '0604' });
    t.is(readFileSync(target, 'utf8'), content);
    t.is(statSync(target).mode & 0o777, 0o604);
    await ssh.write(join(dir, 'empty'), '', { mode: '0600' });
    t.is(readFileSync(join(dir, 'empty'), 'utf8'), '');
    t.is(statSync(join(dir, 'empty')).mode & 0o777, 0o600);
    t.deepEqual(leftovers(dir), []);
  },
);

sshTest(
  'a controller file streams over many windows of requests, checked by sha256; bytes unlike the plan are never renamed over',
  async (t) => {
    const ssh = await connectTo(sshd);
    t.teardown(() => ssh.close());
    // The source changed after planning: the plan's sha256 no longer matches what is read.
    await checkStreamedWrite(t, ssh, mkdtempSync(join(work, 'f-')), 5 * 1024 * 1024 + 123, (f) => ({
      ...f,
      sha256: '0'.repeat(64),
    }));
  },
);
