// ConnectionPool.warm and its handshake bound: connections open ahead of the tasks, a few at a time, in order, tried once.
import test from 'ava';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sh } from '../../src/command.js';
import { UnreachableError } from '../../src/errors.js';
import type { ResolvedHost } from '../../src/inventory/types.js';
import { ConnectionPool } from '../../src/transport/connect.js';
import { startSshd, type Sshd } from '../helpers/sshd.js';
import { hostOf, sshdAvailable, sshTest, waitUntil } from './util.js';

let sshd: Sshd;
test.before(async () => {
  if (sshdAvailable) sshd = await startSshd();
});
test.after.always(async () => {
  await sshd?.stop();
});

const tempDir = (t: { teardown: (f: () => void) => void }) => {
  const dir = mkdtempSync(join(tmpdir(), 'pool-warm-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
};

/** Lines of the log each host's ProxyCommand appends to as it starts ("name pid"). */
const started = (log: string): string[][] => {
  try {
    return readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split(' '));
  } catch {
    return [];
  }
};

/** A host whose ProxyCommand logs its start, then runs `then` (never an sshd: nothing leaves the machine). */
const proxied = (name: string, log: string, then: string): ResolvedHost => ({
  name,
  groups: [],
  vars: {
    ansible_host: '127.0.0.1',
    ansible_user: 'nobody',
    ansible_ssh_common_args: `-o ProxyCommand="echo %n $$ >> ${log}; ${then}"`,
  },
});

const poolOf = (handshakes: number) =>
  new ConnectionPool({
    handshakes,
    connectTimeoutMs: 600_000,
    knownHostsFiles: [],
    connectionDefaults: { sshConfigFile: null },
  });

test('warm() opens at most `handshakes` connections at once, in the order given, and closeAll() drops the queue and the handshakes', async (t) => {
  const log = join(tempDir(t), 'started');
  const pool = poolOf(3);
  t.teardown(() => pool.closeAll());
  // Runs first (teardowns run last-registered first): no proxy outlives the test, so closeAll() never waits on one.
  t.teardown(() => {
    for (const [, pid] of started(log)) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  });
  // Each "server" never answers, so every attempt holds its handshake slot until its proxy is killed.
  const hosts = Array.from({ length: 10 }, (_, i) => proxied(`h${i + 1}`, log, 'exec sleep 600'));
  pool.warm(hosts);
  t.true(await waitUntil(() => started(log).length >= 3));
  t.deepEqual(
    started(log).map(([n]) => n),
    ['h1', 'h2', 'h3'],
  );
  // h1's task asks for its connection (taking the warm attempt); its proxy dies, which frees one slot.
  const first = pool.get(hosts[0]!);
  process.kill(Number(started(log)[0]![1]), 'SIGKILL');
  await t.throwsAsync(first, { instanceOf: UnreachableError });
  t.true(await waitUntil(() => started(log).length >= 4));
  t.deepEqual(
    started(log).map(([n]) => n),
    ['h1', 'h2', 'h3', 'h4'],
    'one slot freed, one more attempt started, the next in order',
  );
  // closeAll() gives up the queue and the handshakes under way (their servers would never answer).
  await pool.closeAll();
  t.is(started(log).length, 4, 'the queued hosts never connected after closeAll()');
});

test("a warm attempt that failed is the next get()'s answer (tried once), and the get() after that tries again", async (t) => {
  const log = join(tempDir(t), 'started');
  const pool = poolOf(8);
  t.teardown(() => pool.closeAll());
  const host = proxied('down1', log, 'exit 1');
  pool.warm([host]);
  t.true(await waitUntil(() => started(log).length === 1));
  await t.throwsAsync(pool.get(host), { instanceOf: UnreachableError });
  t.is(started(log).length, 1, 'the failure of the warm attempt was reported, not a second attempt made');
  await t.throwsAsync(pool.get(host), { instanceOf: UnreachableError });
  t.is(started(log).length, 2, 'a reported failure is not cached');
});

sshTest('warm() connects hosts before they are asked for; get() takes the warmed connection', async (t) => {
  const pool = poolOf(2);
  t.teardown(() => pool.closeAll());
  const hosts = ['w1', 'w2', 'w3'].map((n) => hostOf(sshd, {}, n));
  pool.warm(hosts);
  const sessions = () => {
    try {
      return readFileSync(`/proc/${sshd.pid}/task/${sshd.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)
        .length;
    } catch {
      return 0;
    }
  };
  // sshd forks one process per connection: three connections are up before any get().
  t.true(await waitUntil(() => sessions() >= 3), `sshd has ${sessions()} connections`);
  for (const h of hosts) t.is((await (await pool.get(h)).exec(sh`echo ${h.name}`)).stdout, `${h.name}\n`);
  t.is(sessions(), 3, 'no host got a second connection');
});
