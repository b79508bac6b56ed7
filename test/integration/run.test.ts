// The CLI against real sshd servers on loopback: idempotence, check mode, unreachable hosts, exit codes.
import test from 'ava';
import { mkdtempSync, writeFileSync, existsSync, readFileSync, rmSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSshd, type Sshd } from '../helpers/sshd.js';
import { runCli, recapOf } from './cli.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/integration/', import.meta.url));
const canRun = process.getuid?.() === 0 && existsSync('/usr/sbin/sshd');

let servers: Sshd[] = [];
let work = '';

test.before(async () => {
  if (!canRun) return;
  work = mkdtempSync(join(tmpdir(), 'stackplay-it-'));
  cpSync(FIXTURES, work, { recursive: true });
  servers = await Promise.all([startSshd(), startSshd(), startSshd()]);
});

test.after.always(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  if (work) rmSync(work, { recursive: true, force: true });
});

/** An inventory of the three sshd servers; each host converges its own folder under `tag`. */
function inventory(tag: string, extra = ''): string {
  const lines = servers.map((s, i) => {
    const v = s.inventoryVars();
    const vars = Object.entries(v).map(([k, val]) => `${k}='${val}'`).join(' ');
    return `node${i + 1} ${vars} root=${join(work, tag, `node${i + 1}`)} app_port=${8000 + i}`;
  });
  const file = join(work, `${tag}.ini`);
  writeFileSync(file, `[web]\n${lines.join('\n')}\n${extra}`);
  return file;
}

const it = canRun ? test.serial : test.serial.skip;

it('a playbook applied twice reports changed=0 the second time', async (t) => {
  const inv = inventory('twice');
  const first = await runCli(['run', join(work, 'site.yml'), '-i', inv, '--output', 'json']);
  t.is(first.code, 0, first.stdout + first.stderr);
  const r1 = recapOf(first);
  t.true(r1.node1!.changed >= 4, JSON.stringify(r1));
  t.is(readFileSync(join(work, 'twice', 'node2', 'motd'), 'utf8'), 'hello node2\n');
  t.is(readFileSync(join(work, 'twice', 'node3', 'app.conf'), 'utf8'), '# managed by stackplay\nname = node3\nport = 8002\n');
  t.true(existsSync(join(work, 'twice', 'node1', 'handler-ran')));
  t.true(existsSync(join(work, 'twice', 'node1', 'first')));
  t.false(existsSync(join(work, 'twice', 'node2', 'first')));

  const second = await runCli(['run', join(work, 'site.yml'), '-i', inv, '--output', 'json']);
  t.is(second.code, 0, second.stderr);
  for (const [host, line] of Object.entries(recapOf(second))) t.is(line.changed, 0, `${host} changed on the second run`);
});

it('--check on fresh hosts reports the plan and changes nothing', async (t) => {
  const inv = inventory('check');
  const r = await runCli(['run', join(work, 'site.yml'), '-i', inv, '--check', '--diff', '--output', 'json']);
  t.is(r.code, 0, r.stdout + r.stderr);
  t.false(existsSync(join(work, 'check')), 'check mode created files');
  const recap = recapOf(r);
  t.true(recap.node1!.changed >= 3);
  const plans = r.events.filter((e) => e.type === 'host:plan' && e.plan.steps.length > 0);
  t.true(plans.length >= 9);
});

it('an unreachable host is reported as such while the others finish (exit 3)', async (t) => {
  const inv = inventory('unreach', `ghost ansible_host=127.0.0.1 ansible_port=1 ansible_user=root root=${join(work, 'unreach', 'ghost')} app_port=1\n`);
  const r = await runCli(['run', join(work, 'site.yml'), '-i', inv, '--output', 'json', '--timeout', '5']);
  t.is(r.code, 3, r.stdout + r.stderr);
  const recap = recapOf(r);
  t.is(recap.ghost!.unreachable, 1);
  t.is(recap.node1!.failed, 0);
  t.true(existsSync(join(work, 'unreach', 'node3', 'app.conf')));
});

it('bad params stop the run before any connection (exit 4, file:line:col)', async (t) => {
  writeFileSync(join(work, 'bad.yml'), '- hosts: all\n  tasks:\n    - copy: { dest: /tmp/x, contnet: hi }\n');
  const inv = inventory('bad');
  const r = await runCli(['run', join(work, 'bad.yml'), '-i', inv]);
  t.is(r.code, 4);
  t.regex(r.stderr, /bad\.yml:3:\d+/);
  t.regex(r.stderr, /did you mean "content"/);
});

it('bad command-line options exit 5', async (t) => {
  const r = await runCli(['run', 'x.yml', '-i', 'y.ini', '--forks', 'zero']);
  t.is(r.code, 5);
  const r2 = await runCli(['run', 'x.yml', '--output', 'fancy', '-i', 'y']);
  t.is(r2.code, 5);
});
