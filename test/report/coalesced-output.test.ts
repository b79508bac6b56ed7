// Event lines reach their stream once per turn of the event loop, in order, and at once when flushed.
import test from 'ava';
import { setImmediate as turn } from 'node:timers/promises';
import { coalesced } from '../../src/report/coalesced-output.js';

test('what is written in one turn goes out in one write, in order', async (t) => {
  const writes: string[] = [];
  const c = coalesced((s) => writes.push(s));
  c.write('a\n');
  c.write('b\n');
  t.deepEqual(writes, []);
  await turn();
  t.deepEqual(writes, ['a\nb\n']);
  c.write('c\n');
  await turn();
  t.deepEqual(writes, ['a\nb\n', 'c\n']);
  await turn();
  t.is(writes.length, 2, 'nothing pending: nothing written');
});

test('flush writes what is pending now (before other output, at exit), once', async (t) => {
  const writes: string[] = [];
  const c = coalesced((s) => writes.push(s));
  c.write('x\n');
  c.flush();
  t.deepEqual(writes, ['x\n']);
  c.flush();
  await turn();
  t.deepEqual(writes, ['x\n']);
});
