// Fault on the lab: a big copy cut mid-transfer. dest keeps its old content byte for byte; the rerun writes the new content whole and removes the leftover temp file.
import test, { type ExecutionContext } from 'ava';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { labReboot } from '../../src/commands/lab.js';
import { labSkipReason, withLab, type TestLab } from '../helpers/lab.js';
import { recapOf, runCli, startCli, until, type CliResult, type RunningCli } from '../integration/cli.js';
import { waitUntil } from '../helpers/wait.js';
import { openersOf } from '../helpers/procs.js';
import { cutLink, killSshd, labInventory, nodeRoot, shown } from './lab-faults.js';

const skip = labSkipReason();
const it = skip ? test.serial.skip : test.serial;
if (skip)
  test('interrupted-write tests need the lab', (t) => {
    t.log(`skipped: ${skip}`);
    t.pass();
  });

const VICTIM = 'router1';
const TEMP = /^\.big\.txt\.stackplay-[0-9a-f]{12}$/;
const OLD = 'old content, whole\n';
const sha = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');

interface BigCopy {
  inventory: string;
  playbook: string;
  NEW: string;
  srv(n: string): string;
  temps(n: string): string[];
  cli: RunningCli;
}

/** Starts a copy of a big file to both nodes (dest holds OLD) and returns once the victim's temp file is there. */
async function startBigCopy(t: ExecutionContext, lab: TestLab): Promise<BigCopy> {
  // Text (copy's content is a string), random so nothing shrinks it, big enough that the transfer takes a while.
  const NEW = `${randomBytes(40 * 1024 * 1024).toString('base64')}\n`;
  writeFileSync(join(lab.dir, 'big.txt'), NEW);
  const playbook = join(lab.dir, 'big.yml');
  writeFileSync(
    playbook,
    '- hosts: lab\n  become: true\n  tasks:\n    - name: a big file\n      copy: { dest: /srv/big.txt, src: big.txt }\n',
  );
  const srv = (n: string) => join(nodeRoot(lab, n), 'srv');
  for (const n of ['core1', VICTIM]) writeFileSync(join(srv(n), 'big.txt'), OLD);
  const temps = (n: string) => readdirSync(srv(n)).filter((f) => TEMP.test(f));
  const inventory = labInventory(lab, '-o ServerAliveInterval=1 -o ServerAliveCountMax=3');
  const cli = startCli(t, ['run', playbook, '-i', inventory, '--output', 'json']);
  await until(() => temps(VICTIM).length > 0, cli, `the temp file appears on ${VICTIM}`);
  return { inventory, playbook, NEW, srv, temps, cli };
}

/** dest still holds exactly OLD; the cut write left one partial temp file (returned). */
/** The run ends with exit 3: the victim unreachable (not failed), core1 with the new content whole. */
async function assertVictimUnreachable(t: ExecutionContext, c: BigCopy): Promise<void> {
  const code = await c.cli.done;
  const r = c.cli.result();
  t.is(code, 3, shown(r));
  const recap = recapOf(r);
  t.deepEqual([recap[VICTIM]!.unreachable, recap[VICTIM]!.failed], [1, 0], JSON.stringify(recap));
  t.deepEqual([recap.core1!.changed, recap.core1!.failed, recap.core1!.unreachable], [1, 0, 0], JSON.stringify(recap));
  t.is(sha(readFileSync(join(c.srv('core1'), 'big.txt'))), sha(c.NEW));
}

function assertCutWrite(t: ExecutionContext, c: BigCopy): string {
  t.is(sha(readFileSync(join(c.srv(VICTIM), 'big.txt'))), sha(OLD), 'dest holds exactly the old content');
  const left = c.temps(VICTIM);
  t.is(left.length, 1, 'the cut write left its temp file');
  t.true(
    readFileSync(join(c.srv(VICTIM), left[0] ?? 'none')).length < Buffer.byteLength(c.NEW),
    'the temp file is partial: the transfer was really cut',
  );
  return left[0] ?? '';
}

/** The victim's temp files with their age in seconds, for a failure message. */
const ages = (c: BigCopy) =>
  c
    .temps(VICTIM)
    .map((f) => `${f} ${Math.round((Date.now() - statSync(join(c.srv(VICTIM), f)).mtimeMs) / 1000)}s`)
    .join(', ');

const plannedOn = (r: CliResult, host: string) =>
  r.events.flatMap((e) => (e.type === 'host:plan' && e.host === host ? e.plan.steps.map((s) => s.title) : []));

/**
 * A fresh temp file is left alone (it may be another host's write in flight on shared storage);
 * once it is minutes old, --check shows its removal and changes nothing; the run writes NEW whole
 * and leaves no temp file. Without a leftover (the node removed its truncated file itself) the
 * same runs converge.
 */
async function assertRerunConverges(t: ExecutionContext, c: BigCopy, leftover: string | undefined): Promise<void> {
  // The node's write may still be taking what it had received before its client vanished (seconds
  // on a busy machine): until it closes the file, its mtime moves on and it is no leftover yet.
  const temp = join(c.srv(VICTIM), leftover ?? 'none');
  t.true(await waitUntil(() => openersOf(temp).length === 0), `the cut write on the node closed ${temp}`);
  const early = await runCli(['run', c.playbook, '-i', c.inventory, '--output', 'json', '--check']);
  t.is(early.code, 0, shown(early));
  t.false(
    plannedOn(early, VICTIM).some((title) => title.includes('leftover')),
    'a temp file written a moment ago is not taken for a leftover',
  );
  const minutesAgo = new Date(Date.now() - 10 * 60_000);
  for (const host of ['core1', VICTIM])
    for (const f of c.temps(host)) utimesSync(join(c.srv(host), f), minutesAgo, minutesAgo);

  const check = await runCli(['run', c.playbook, '-i', c.inventory, '--output', 'json', '--check']);
  t.is(check.code, 0, shown(check));
  const planned = plannedOn(check, VICTIM);
  if (leftover) {
    t.true(
      planned.includes(`remove leftover temp file /srv/${leftover} of an interrupted write`),
      `--check shows the removal: ${JSON.stringify(planned)}; temp files now: ${ages(c)}`,
    );
    t.deepEqual(c.temps(VICTIM), [leftover], '--check removed nothing');
  } else
    t.false(
      planned.some((title) => title.includes('leftover')),
      JSON.stringify(planned),
    );

  const again = await runCli(['run', c.playbook, '-i', c.inventory, '--output', 'json']);
  t.is(again.code, 0, shown(again));
  t.is(recapOf(again)[VICTIM]!.changed, 1, JSON.stringify(recapOf(again)));
  t.is(sha(readFileSync(join(c.srv(VICTIM), 'big.txt'))), sha(c.NEW), 'dest holds exactly the new content');
  t.deepEqual(c.temps(VICTIM), [], 'no temp file is left on the node');
  t.deepEqual(c.temps('core1'), []);
  if (leftover) t.false(existsSync(join(c.srv(VICTIM), leftover)));
  const third = await runCli(['run', c.playbook, '-i', c.inventory, '--output', 'json']);
  t.is(third.code, 0, shown(third));
  for (const [host, line] of Object.entries(recapOf(third))) t.is(line.changed, 0, `${host} changed on the third run`);
}

it('the controller killed mid-transfer: dest keeps exactly its old content; the rerun writes the new content whole and removes the leftover temp file (unless the node removed its truncated file itself)', (t) =>
  withLab(t, { nodes: 2 }, async (lab) => {
    const c = await startBigCopy(t, lab);
    // SIGKILL: no cleanup can run on the controller. The node's write (become: a script that cats
    // stdin into the temp file) then either sees EOF, finds the file short of its planned size and
    // removes it, or is ended with its session first and leaves it: both are right, and the race
    // between them is the machine's. Each is checked once the write on the node has ended.
    c.cli.kill();
    await c.cli.done;
    const cut = c.temps(VICTIM).map((f) => join(c.srv(VICTIM), f));
    t.true(
      await waitUntil(() => cut.every((f) => openersOf(f).length === 0)),
      "the node's side of the cut write ended",
    );
    if (c.temps(VICTIM).length === 0) {
      t.is(sha(readFileSync(join(c.srv(VICTIM), 'big.txt'))), sha(OLD), 'dest holds exactly the old content');
      t.log('the node removed the truncated temp file itself');
      await assertRerunConverges(t, c, undefined);
      return;
    }
    const leftover = assertCutWrite(t, c);
    await assertRerunConverges(t, c, leftover);
  }));

// The loss must also end the SFTP write in flight, not only running commands: before SshTransport
// raced its SFTP calls against the loss, this run waited forever after the keepalive found the link dead.
it('a link cut mid-transfer: the node is unreachable (exit 3), the other node finishes, dest keeps its old content; a rerun converges', (t) =>
  withLab(t, { nodes: 2 }, async (lab) => {
    const c = await startBigCopy(t, lab);
    const restore = await cutLink(t, lab, VICTIM);
    await assertVictimUnreachable(t, c);
    const leftover = assertCutWrite(t, c);
    await restore();
    // Once the link is back, TCP would still deliver what the cut held back to the old session,
    // which would write on into the temp file: end that session, as the node would in time.
    killSshd(lab, VICTIM, { keepListener: true });
    await assertRerunConverges(t, c, leftover);
  }));

it("the node's sshd killed mid-transfer: unreachable (exit 3), the other node finishes, dest keeps its old content; after a reboot a rerun converges", (t) =>
  withLab(t, { nodes: 2 }, async (lab) => {
    const c = await startBigCopy(t, lab);
    killSshd(lab, VICTIM);
    await assertVictimUnreachable(t, c);
    const leftover = assertCutWrite(t, c);
    await labReboot({ dir: lab.dir, nodes: [VICTIM] });
    await assertRerunConverges(t, c, leftover);
  }));
