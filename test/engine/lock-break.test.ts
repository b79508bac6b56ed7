// --break-lock removes only a lock it recognises: a folder holding a well-formed info file (or nothing); other data stays.
import test from 'ava';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newLockInfo, parseInfo, takeLock } from '../../src/engine/lock.js';
import { localTransport } from '../../src/transport/local.js';

let work = '';
test.before(() => {
  work = mkdtempSync(join(tmpdir(), 'stackplay-lock-break-'));
});
test.after.always(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

const t0 = localTransport('core1');
const place = (tag: string) => {
  const dir = join(work, tag, 'lock');
  mkdirSync(dir, { recursive: true });
  return dir;
};
const take = (dir: string) => takeLock(t0, 'core1', dir, newLockInfo('stackplay run site.yml'), { breakLock: true });

test('a folder of data with no info file is refused and kept whole', async (t) => {
  const dir = place('data');
  writeFileSync(join(dir, 'precious.db'), 'data');
  const r = await take(dir);
  t.true('refused' in r);
  if ('refused' in r) {
    t.is(r.refused.code, 'E_LOCK_UNRECOGNISED');
    t.regex(r.refused.message, /holds no info file but precious\.db; .*nothing was removed/);
  }
  t.is(readFileSync(join(dir, 'precious.db'), 'utf8'), 'data');
});

test('an info file that is not a lock record is refused', async (t) => {
  for (const [tag, text] of [
    ['garbage', 'not json'],
    ['partial', '{"id": "x"}'],
    ['empty-id', JSON.stringify({ ...newLockInfo('x'), id: '' })],
    ['wrong-types', JSON.stringify({ ...newLockInfo('x'), pid: 'one' })],
    ['bad-date', JSON.stringify({ ...newLockInfo('x'), since: 'yesterday' })],
  ] as const) {
    const dir = place(tag);
    writeFileSync(join(dir, 'info'), text);
    const r = await take(dir);
    t.true('refused' in r, tag);
    t.is(readFileSync(join(dir, 'info'), 'utf8'), text, tag);
  }
});

test('a recognised lock that holds other files too is refused; nothing is deleted', async (t) => {
  const dir = place('mixed');
  writeFileSync(join(dir, 'info'), JSON.stringify(newLockInfo('stackplay run old.yml')));
  writeFileSync(join(dir, 'other'), 'keep');
  const r = await take(dir);
  t.true('refused' in r);
  t.true(existsSync(join(dir, 'other')));
  t.true(existsSync(join(dir, 'info')));
});

test('a plain file at the lock path is refused and kept', async (t) => {
  const parent = join(work, 'file');
  mkdirSync(parent, { recursive: true });
  const path = join(parent, 'lock');
  writeFileSync(path, 'not a folder');
  const r = await take(path);
  t.true('refused' in r);
  t.is(readFileSync(path, 'utf8'), 'not a folder');
});

test('a stale recognised lock, or an empty lock folder, is broken and the lock taken; release removes it', async (t) => {
  for (const tag of ['stale', 'empty']) {
    const dir = place(tag);
    if (tag === 'stale') writeFileSync(join(dir, 'info'), `${JSON.stringify(newLockInfo('stackplay run old.yml'))}\n`);
    const r = await take(dir);
    t.false('refused' in r, tag);
    if ('refused' in r) continue;
    t.is(parseInfo(readFileSync(join(dir, 'info'), 'utf8'))?.id, r.info.id);
    await r.release();
    t.false(existsSync(dir), tag);
  }
});

test('with nothing at the lock path, --break-lock just takes the lock', async (t) => {
  const dir = join(work, 'none', 'lock');
  const r = await take(dir);
  t.false('refused' in r);
  if (!('refused' in r)) await r.release();
  t.false(existsSync(dir));
});
