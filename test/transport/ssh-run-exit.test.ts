// runChannel keeps an exit status that ssh2 emitted before the caller had the channel in hand.
import test from 'ava';
import { EventEmitter } from 'node:events';
import type { ClientChannel } from 'ssh2';
import { recordExit, runChannel } from '../../src/transport/ssh-run.js';

function fakeChannel(): EventEmitter & { stderr: EventEmitter; end(): void; close(): void } {
  const ch = Object.assign(new EventEmitter(), { stderr: new EventEmitter(), end() {}, close() {} });
  return ch;
}

const ctx = { host: 'h', display: 'true', stdin: '', limit: undefined, lost: () => undefined, onDrop: () => () => {} };

test('an exit emitted before runChannel attaches is not lost when recorded in the exec callback', async (t) => {
  const ch = fakeChannel();
  const exit = recordExit(ch as unknown as ClientChannel);
  ch.emit('exit', 0);
  const result = runChannel(ch as unknown as ClientChannel, ctx, {}, exit);
  ch.emit('close');
  t.is((await result).code, 0);
});

test('without an early record, an exit emitted before runChannel is missed (the race the record fixes)', async (t) => {
  const ch = fakeChannel();
  ch.emit('exit', 0);
  const result = runChannel(ch as unknown as ClientChannel, ctx, {});
  ch.emit('close');
  t.is((await result).code, null);
});

test('a signal exit is reported with its name', async (t) => {
  const ch = fakeChannel();
  const result = runChannel(ch as unknown as ClientChannel, ctx, {});
  ch.emit('exit', null, 'KILL');
  ch.emit('close');
  const r = await result;
  t.is(r.code, null);
  t.is(r.signal, 'KILL');
});
