// The --check wrapper: read-only probes and reads pass, anything that could change the host is refused.
import test from 'ava';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readOnly, sh } from '../../src/command.js';
import { CheckModeViolation } from '../../src/errors.js';
import { localTransport } from '../../src/transport/local.js';
import { readOnlyTransport } from '../../src/transport/readonly.js';
import type { Transport } from '../../src/transport/types.js';

const dir = mkdtempSync(join(tmpdir(), 'stackplay-ro-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));
const ro = readOnlyTransport(localTransport('web1'));

test('read-only probes run and reads pass through', async (t) => {
  t.is(ro.host, 'web1');
  t.is((await ro.exec(readOnly(sh`echo probe`))).stdout, 'probe\n');
  writeFileSync(join(dir, 'f'), 'content');
  t.is(await ro.read(join(dir, 'f')), 'content');
  t.is(await ro.read(join(dir, 'missing')), null);
});

test('a command not marked read-only is refused and does not run', async (t) => {
  const marker = join(dir, 'ran');
  const e = await t.throwsAsync(ro.exec(sh`touch ${marker}`), { instanceOf: CheckModeViolation });
  t.is(e?.code, 'E_CHECK_WRITE');
  t.is(e?.message, `check mode refused to change web1: run touch ${marker}`);
  t.false(existsSync(marker));
});

test('write is always refused and writes nothing', async (t) => {
  const target = join(dir, 'w');
  await t.throwsAsync(ro.write(target, 'x', { mode: '0644' }), {
    instanceOf: CheckModeViolation,
    message: /refused to change web1: write /,
  });
  t.false(existsSync(target));
});

test('close() leaves the wrapped transport open', async (t) => {
  let closed = false;
  const base = localTransport('x');
  const inner: Transport = {
    host: 'x',
    exec: (c, o) => base.exec(c, o),
    read: (p, o) => base.read(p, o),
    write: (p, c, o) => base.write(p, c, o),
    close: async () => {
      closed = true;
    },
  };
  await readOnlyTransport(inner).close();
  t.false(closed);
});
