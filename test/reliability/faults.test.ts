// Faults on real sshd servers: a node's sshd killed mid-run; the others finish, the recap says unreachable, nothing is half-written, a rerun converges.
import test from 'ava';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commOf, descendantsOf } from '../helpers/procs.js';
import { canRunSshd, startSshd, whyNoSshd, type Sshd } from '../helpers/sshd.js';
import { runCli, recapOf, startCli, until } from '../integration/cli.js';

let servers: Sshd[] = [];
let work = '';

test.before(async () => {
  if (!canRunSshd()) return;
  work = mkdtempSync(join(tmpdir(), 'stackplay-faults-'));
  servers = await Promise.all([startSshd(), startSshd(), startSshd()]);
});

test.after.always(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  if (work) rmSync(work, { recursive: true, force: true });
});

// Big enough that a write cut short would be visibly partial.
const BIG = `${'0123456789abcdef'.repeat(4096)}\n`;

function setup(): { inventory: () => string; playbook: string; root: (n: number) => string } {
  for (const n of [1, 2, 3]) mkdirSync(join(work, `node${n}`), { recursive: true });
  const playbook = join(work, 'site.yml');
  writeFileSync(join(work, 'big.txt'), BIG);
  writeFileSync(
    playbook,
    `
- hosts: web
  tasks:
    - name: wait until the test says go
      shell: "touch {{ root }}/waiting; while [ ! -f ${work}/go ]; do sleep 0.1; done"
      changed_when: false
    - name: a big file
      copy: { dest: "{{ root }}/big.txt", src: big.txt }
    - name: done
      copy: { dest: "{{ root }}/done", content: "done\\n" }
`,
  );
  const inventory = () => {
    const file = join(work, 'cluster.ini');
    writeFileSync(
      file,
      `[web]\n${servers
        .map(
          (s, i) =>
            `node${i + 1} ${Object.entries(s.inventoryVars())
              .map(([k, v]) => `${k}='${v}'`)
              .join(' ')} root=${join(work, `node${i + 1}`)}`,
        )
        .join('\n')}\n`,
    );
    return file;
  };
  return { inventory, playbook, root: (n) => join(work, `node${n}`) };
}

const it = canRunSshd() ? test.serial : test.serial.skip;
if (!canRunSshd())
  test('faults (skipped)', (t) => {
    t.log(whyNoSshd());
    t.pass();
  });

it('a node whose sshd is killed mid-run is unreachable, the others finish, nothing is half-written, a rerun converges', async (t) => {
  const { inventory, playbook, root } = setup();
  const keys = join(work, 'node2-keys');
  mkdirSync(keys);
  const victim = servers[1]!;
  for (const f of ['host_key', 'host_key.pub', 'user_key', 'user_key.pub'])
    copyFileSync(join(victim.dir, f), join(keys, f));

  // A killed sshd refuses at once; the connect timeout only has to be long enough for the others on a busy machine.
  const cli = startCli(t, ['run', playbook, '-i', inventory(), '--output', 'json', '--timeout', '60']);
  await until(() => [1, 2, 3].every((n) => existsSync(join(root(n), 'waiting'))), cli, 'every host waits');
  // sshd dies hard (listener and per-connection sshd processes, SIGKILL): the connection drops while the
  // first task runs, and no exit status can come back. The session's shell is left to finish on its own.
  for (const pid of [victim.pid, ...descendantsOf(victim.pid, (p) => commOf(p).startsWith('sshd'))]) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  t.teardown(() => victim.stop());
  writeFileSync(join(work, 'go'), '');
  const code = await cli.done;
  const r = cli.result();

  t.is(code, 3, r.stdout + r.stderr);
  const recap = recapOf(r);
  t.is(recap.node2!.unreachable, 1, JSON.stringify(recap));
  t.is(recap.node2!.failed, 0);
  for (const n of ['node1', 'node3'])
    t.deepEqual([recap[n]!.failed, recap[n]!.unreachable, recap[n]!.changed], [0, 0, 2], JSON.stringify(recap));
  for (const n of [1, 3]) t.is(readFileSync(join(root(n), 'big.txt'), 'utf8'), BIG);
  // node2 lost its connection before the writes: no file (whole, partial or temp) may be there.
  for (const f of readdirSync(root(2))) {
    if (f === 'waiting') continue;
    t.fail(`node2 has ${f} although its connection was gone before the writes`);
  }

  const restarted = await startSshd({
    port: victim.port,
    hostKeyFile: join(keys, 'host_key'),
    userKeyFile: join(keys, 'user_key'),
  });
  servers[1] = restarted;
  const again = await runCli(['run', playbook, '-i', inventory(), '--output', 'json']);
  t.is(again.code, 0, again.stdout + again.stderr);
  const recap2 = recapOf(again);
  t.is(recap2.node2!.changed, 2);
  t.is(recap2.node1!.changed, 0);
  t.is(recap2.node3!.changed, 0);
  t.is(readFileSync(join(root(2), 'big.txt'), 'utf8'), BIG);
});

it('SIGINT mid-run: every host finishes its running step, none starts another, the recap is printed, exit 99', async (t) => {
  const { inventory, playbook, root } = setup();
  rmSync(join(work, 'go'), { force: true });
  for (const n of [1, 2, 3]) rmSync(root(n), { recursive: true, force: true });
  for (const n of [1, 2, 3]) mkdirSync(root(n), { recursive: true });
  const cli = startCli(t, ['run', playbook, '-i', inventory(), '--output', 'json']);
  await until(() => [1, 2, 3].every((n) => existsSync(join(root(n), 'waiting'))), cli, 'every host waits');
  cli.kill('SIGINT');
  await until(() => cli.result().stderr.includes('interrupt:'), cli, 'the CLI says it was interrupted');
  writeFileSync(join(work, 'go'), '');
  const code = await cli.done;
  const r = cli.result();
  t.is(code, 99, r.stdout + r.stderr);
  const end = r.events.find((e) => e.type === 'run:end');
  t.true(end?.type === 'run:end' && end.interrupted, r.stdout);
  const recap = recapOf(r);
  for (const n of ['node1', 'node2', 'node3'])
    t.deepEqual([recap[n]!.ok, recap[n]!.failed, recap[n]!.unreachable], [1, 0, 0], JSON.stringify(recap));
  for (const n of [1, 2, 3]) t.false(existsSync(join(root(n), 'big.txt')), 'a task started after the interrupt');
});
