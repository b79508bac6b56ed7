// lineinfile, blockinfile, stat, fetch and service over a real sshd: check mode changes nothing, a rerun changes nothing.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { canRunSshd, startSshd, whyNoSshd, type Sshd } from '../helpers/sshd.js';
import { recapOf, runCli } from './cli.js';

const it = canRunSshd() ? test.serial : test.serial.skip;
if (!canRunSshd())
  test('modules over sshd skipped', (t) => {
    t.log(whyNoSshd());
    t.pass();
  });

let sshd: Sshd | undefined;
let work = '';
/** A sysvinit script of this test only (the sshd node is this machine). */
const SERVICE = `stackplay-test-${process.pid}`;
const SCRIPT = `/etc/init.d/${SERVICE}`;
const pidFile = () => join(work, 'service.pid');

const script = (dir: string) => `#!/bin/sh
### BEGIN INIT INFO
# Provides:          ${SERVICE}
# Required-Start:
# Required-Stop:
# Default-Start:     2 3 4 5
# Default-Stop:      0 1 6
# Short-Description: stackplay test service
### END INIT INFO
PIDFILE=${dir}/service.pid
running() { [ -f $PIDFILE ] && kill -0 "$(cat $PIDFILE)" 2>/dev/null; }
case "$1" in
  start) running || { setsid sleep 3600 </dev/null >/dev/null 2>&1 & echo $! > $PIDFILE; } ;;
  stop) running && kill "$(cat $PIDFILE)"; rm -f $PIDFILE ;;
  restart) "$0" stop; "$0" start ;;
  reload) echo reload >> ${dir}/reloads ;;
  status) if running; then echo "${SERVICE} is running"; else echo "${SERVICE} is stopped"; exit 3; fi ;;
esac
`;

const links = () =>
  readdirSync('/etc')
    .filter((d) => /^rc.\.d$/.test(d))
    .flatMap((d) => readdirSync(join('/etc', d)).filter((f) => f.endsWith(SERVICE)));

/** Ends the service's sleep (a process this test started, by its PID) and removes the script and its links. */
function removeService(): void {
  if (work && existsSync(pidFile())) {
    try {
      process.kill(Number(readFileSync(pidFile(), 'utf8')), 'SIGTERM');
    } catch {
      /* already gone */
    }
  }
  if (existsSync(SCRIPT)) spawnSync('update-rc.d', ['-f', SERVICE, 'remove'], { stdio: 'ignore' });
  rmSync(SCRIPT, { force: true });
}

test.before(async () => {
  if (!canRunSshd()) return;
  work = mkdtempSync(join(tmpdir(), 'stackplay-modules-it-'));
  writeFileSync(SCRIPT, script(work));
  chmodSync(SCRIPT, 0o755);
  sshd = await startSshd();
});

test.after.always(async () => {
  removeService();
  await sshd?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

function inventory(): string {
  const vars = Object.entries(sshd!.inventoryVars())
    .map(([k, v]) => `${k}='${v}'`)
    .join(' ');
  const file = join(work, 'inventory.ini');
  writeFileSync(file, `node1 ${vars}\n`);
  return file;
}

const playbook = (name: string, tasks: unknown[]): string => {
  const file = join(work, name);
  writeFileSync(file, stringify([{ hosts: 'all', tasks }]));
  return file;
};

const BLOCK = '# BEGIN ANSIBLE MANAGED BLOCK\nx\ny\n# END ANSIBLE MANAGED BLOCK\n';

it('edit, stat, fetch and service: check mode changes nothing, apply converges, a rerun changes nothing', async (t) => {
  const node = join(work, 'node');
  const fetched = join(work, 'fetched');
  mkdirSync(node);
  writeFileSync(join(node, 'conf'), 'a\r\nport=1');
  const site = playbook('site.yml', [
    { name: 'port', lineinfile: { path: `${node}/conf`, regexp: '^port=', line: 'port=2' } },
    { name: 'new file', lineinfile: { path: `${node}/new/sub/f`, line: 'hello', create: true, mode: '0600' } },
    { name: 'block', blockinfile: { path: `${node}/conf`, block: 'x\ny', insertbefore: 'BOF' } },
    { name: 'no a', lineinfile: { path: `${node}/conf`, regexp: '^a', state: 'absent' } },
    { name: 'stat', stat: { path: `${node}/conf` }, register: 's' },
    { name: 'stat says', assert: { that: ['s.stat.exists', 's.stat.isreg', "s.stat.mode == '0644'"] } },
    { name: 'fetch', fetch: { src: `${node}/conf`, dest: fetched } },
    { name: 'service', service: { name: SERVICE, state: 'started', enabled: true } },
  ]);
  const inv = inventory();

  const check = await runCli(['run', site, '-i', inv, '--check', '--diff', '--output', 'json']);
  t.is(check.code, 0, check.stdout + check.stderr);
  t.is(readFileSync(join(node, 'conf'), 'utf8'), 'a\r\nport=1', 'check mode left the file');
  t.false(existsSync(join(node, 'new')), 'check mode made no folder');
  t.false(existsSync(fetched), 'check mode fetched nothing');
  t.false(existsSync(pidFile()), 'check mode started nothing');
  t.deepEqual(links(), [], 'check mode enabled nothing');
  t.true(recapOf(check).node1!.changed >= 6, JSON.stringify(recapOf(check)));

  const first = await runCli(['run', site, '-i', inv, '--output', 'json']);
  t.is(first.code, 0, first.stdout + first.stderr);
  t.is(recapOf(first).node1!.changed, 6, JSON.stringify(recapOf(first)));
  t.is(readFileSync(join(node, 'conf'), 'utf8'), `${BLOCK}port=2\n`);
  t.is(readFileSync(join(node, 'new/sub/f'), 'utf8'), 'hello\n');
  t.is(statSync(join(node, 'new/sub/f')).mode & 0o777, 0o600);
  t.is(readFileSync(join(fetched, 'node1', node, 'conf'), 'utf8'), `${BLOCK}port=2\n`);
  t.true(existsSync(pidFile()), 'the service runs');
  t.true(
    links().some((l) => l.startsWith('S')),
    'the service starts at boot',
  );

  const again = await runCli(['run', site, '-i', inv, '--output', 'json']);
  t.is(again.code, 0, again.stdout + again.stderr);
  t.is(recapOf(again).node1!.changed, 0, JSON.stringify(recapOf(again)));
});

it('service: restarted acts on every run; stopped in check mode leaves it running; disabled', async (t) => {
  const inv = inventory();
  const start = playbook('start.yml', [{ service: { name: SERVICE, state: 'started' } }]);
  t.is((await runCli(['run', start, '-i', inv])).code, 0);
  const pid = readFileSync(pidFile(), 'utf8');
  const restart = playbook('restart.yml', [{ service: { name: SERVICE, state: 'restarted' } }]);
  for (let i = 0; i < 2; i++) {
    const r = await runCli(['run', restart, '-i', inv, '--output', 'json']);
    t.is(r.code, 0, r.stdout + r.stderr);
    t.is(recapOf(r).node1!.changed, 1);
  }
  t.not(readFileSync(pidFile(), 'utf8'), pid, 'restarted: a new process');
  const stop = playbook('stop.yml', [{ service: { name: SERVICE, state: 'stopped', enabled: false } }]);
  const dry = await runCli(['run', stop, '-i', inv, '--check', '--output', 'json']);
  t.is(dry.code, 0, dry.stdout + dry.stderr);
  t.is(recapOf(dry).node1!.changed, 1);
  t.true(existsSync(pidFile()), 'check mode did not stop it');
  const real = await runCli(['run', stop, '-i', inv, '--output', 'json']);
  t.is(real.code, 0, real.stdout + real.stderr);
  t.false(existsSync(pidFile()), 'stopped');
  t.false(
    links().some((l) => l.startsWith('S')),
    'disabled',
  );
  t.is(recapOf(await runCli(['run', stop, '-i', inv, '--output', 'json'])).node1!.changed, 0);
});
