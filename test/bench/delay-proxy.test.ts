// The bench's delaying ProxyCommand: chunks held at least the delay, in order, round trips counted, clean exit either side.
import test from 'ava';
import { spawn } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { delayedPipe, RoundTrips } from '../../bench/delay-proxy.js';
import { countDir, counts, echoEach, starts } from '../helpers/delay-counts.js';
import { waitUntil } from '../helpers/wait.js';

const PROXY = fileURLToPath(new URL('../../bench/delay-proxy.ts', import.meta.url));

test('delayedPipe holds each chunk at least the delay and keeps their order', async (t) => {
  const from = new PassThrough();
  const to = new PassThrough();
  const got: { at: number; s: string }[] = [];
  to.on('data', (c: Buffer) => got.push({ at: performance.now(), s: c.toString() }));
  const done = delayedPipe(from, to, 40);
  const sent: { at: number; s: string }[] = [];
  for (let i = 0; i < 30; i++) {
    sent.push({ at: performance.now(), s: `<${i}>` });
    from.write(`<${i}>`);
    if (i % 7 === 0) await new Promise((r) => setTimeout(r, 5));
  }
  from.end();
  await done;
  t.is(got.map((g) => g.s).join(''), sent.map((s) => s.s).join(''));
  // A lower bound only (load can make it later, never earlier): the delay was applied to the first and last chunk.
  t.true(got[0]!.at - sent[0]!.at >= 39);
  t.true(got.at(-1)!.at - sent.at(-1)!.at >= 39);
  t.true(to.writableEnded);
});

test('RoundTrips with an answer time: node data sooner than that after a request answers nothing and leaves the turn open', (t) => {
  const r = new RoundTrips(50);
  r.fromController(3, 0);
  r.fromNode(1, 10); // the server's own message, sent before the request could reach it
  r.fromController(2, 12);
  r.fromNode(4, 60); // the answer: one turn, not two
  r.fromController(1, 100);
  r.fromNode(1, 151);
  t.is(r.count, 2);
  t.deepEqual([r.up, r.down], [6, 6]);
});

test('RoundTrips counts a turn each time the node answers after the controller spoke', (t) => {
  const r = new RoundTrips();
  r.fromNode(5); // the server's banner comes first: no question was asked
  r.fromController(3);
  r.fromController(4);
  r.fromNode(1);
  r.fromNode(2);
  r.fromController(1);
  r.fromNode(1);
  t.is(r.count, 2);
  t.is(r.up, 8);
  t.is(r.down, 9);
});

function startProxy(rtt: number, dir: string, command: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', PROXY, String(rtt), dir, '--', command], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, out: () => out, exited };
}

test('the proxy delays both ways, counts three exchanges as three round trips and exits when the controller closes', async (t) => {
  const dir = countDir(t, 'delay-proxy-');
  const p = startProxy(100, dir, 'cat');
  t.teardown(() => p.child.kill('SIGKILL'));
  await echoEach(t, p.child.stdin, p.out, ['one', 'two', 'three'], 100);
  t.is(p.out(), 'onetwothree');
  p.child.stdin.end();
  t.is(await p.exited, 0);
  t.deepEqual(counts(dir), [{ roundTrips: 3, up: 11, down: 11 }]);
  t.is(starts(dir), 1);
});

test('the proxy delivers what it holds and exits when the node side closes first', async (t) => {
  const dir = countDir(t, 'delay-proxy-');
  // The "node" reads 4 bytes, answers them and hangs up while the controller keeps its side open.
  const p = startProxy(60, dir, 'head -c 4');
  t.teardown(() => p.child.kill('SIGKILL'));
  p.child.stdin.write('abcdefgh');
  t.is(await p.exited, 0);
  t.is(p.out(), 'abcd');
  t.is(counts(dir)[0]!.roundTrips, 1);
});

test('the proxy records its count when it is terminated (how ssh and stackplay end a ProxyCommand)', async (t) => {
  const dir = countDir(t, 'delay-proxy-');
  const p = startProxy(0, dir, 'cat');
  t.teardown(() => p.child.kill('SIGKILL'));
  p.child.stdin.write('x');
  t.true(await waitUntil(() => p.out() === 'x'));
  p.child.kill('SIGTERM');
  t.is(await p.exited, 0);
  t.is(counts(dir)[0]!.roundTrips, 1);
});
