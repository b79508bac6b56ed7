// The bench's delaying server (delay-hub.ts) through the ProxyCommand it hands out: delays, counts per connection, ends with either side.
import test, { type ExecutionContext } from 'ava';
import { spawn } from 'node:child_process';
import { DelayHub } from '../../bench/delay-hub.js';
import { countDir, counts, echoEach, starts } from '../helpers/delay-counts.js';
import { waitUntil } from '../helpers/wait.js';

async function route(
  t: ExecutionContext,
  dir: string,
  rtt: number,
  inner: string,
  hub = new DelayHub(),
): Promise<string> {
  t.teardown(() => hub.closeRoutes());
  const command = await hub.route(dir, rtt, 'h1', inner);
  t.regex(command, /^socat - UNIX-CONNECT:/);
  return command;
}

/** The ProxyCommand as a runner starts it (sh -c). */
function connect(t: ExecutionContext, command: string) {
  const child = spawn('sh', ['-c', command], { stdio: ['pipe', 'pipe', 'inherit'] });
  t.teardown(() => child.kill('SIGKILL'));
  let out = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return { child, out: () => out, exited };
}

test('through the hub: delayed both ways, three exchanges counted as three round trips once the controller closes', async (t) => {
  const dir = countDir(t, 'delay-hub-');
  const p = connect(t, await route(t, dir, 100, 'cat'));
  await echoEach(t, p.child.stdin, p.out, ['one', 'two', 'three'], 100);
  t.is(p.out(), 'onetwothree');
  p.child.stdin.end();
  await p.exited;
  t.true(await waitUntil(() => counts(dir).length === 1), 'no count written');
  t.deepEqual(counts(dir), [{ roundTrips: 3, up: 11, down: 11 }]);
  t.is(starts(dir), 1);
});

test('the node side closing first: what is held is delivered and the connection ends', async (t) => {
  const dir = countDir(t, 'delay-hub-');
  // The "node" reads 4 bytes, answers them and hangs up while the controller keeps its side open.
  const p = connect(t, await route(t, dir, 60, 'head -c 4'));
  p.child.stdin.write('abcdefgh');
  await p.exited;
  t.is(p.out(), 'abcd');
  t.true(await waitUntil(() => counts(dir).length === 1), 'no count written');
  t.is(counts(dir)[0]!.roundTrips, 1);
});

test('a ProxyCommand terminated by its runner still gets its count; each connection has its own', async (t) => {
  const dir = countDir(t, 'delay-hub-');
  const command = await route(t, dir, 0, 'cat');
  const a = connect(t, command);
  const b = connect(t, command);
  a.child.stdin.write('x');
  b.child.stdin.write('yy');
  t.true(await waitUntil(() => a.out() === 'x' && b.out() === 'yy'));
  // How ssh and stackplay end a ProxyCommand.
  a.child.kill('SIGTERM');
  b.child.kill('SIGTERM');
  t.true(await waitUntil(() => counts(dir).length === 2), `counts: ${JSON.stringify(counts(dir))}`);
  t.deepEqual(
    counts(dir)
      .map((c) => c.up)
      .sort(),
    [1, 2],
  );
  t.is(starts(dir), 2);
});

test('closing the routes ends a connection that outlived its run (a ControlPersist master, say)', async (t) => {
  const dir = countDir(t, 'delay-hub-');
  const hub = new DelayHub();
  const p = connect(t, await route(t, dir, 0, 'cat', hub));
  p.child.stdin.write('x');
  t.true(await waitUntil(() => p.out() === 'x'));
  hub.closeRoutes();
  // The runner's socat sees its socket end; the command behind it is killed.
  await p.exited;
  t.pass();
});
