// stat, service and fetch: probes parsed from real command output shapes, plans from explicit facts.
import test from 'ava';
import { stat, statResult } from '../../modules/stat.js';
import { pathStat } from '../../modules/facts/stat.js';
import { service } from '../../modules/service.js';
import { serviceState, sysvRunning, type ServiceFacts } from '../../modules/facts/service.js';
import { destFor, fetch } from '../../modules/fetch.js';
import { digest, sumOf } from '../../src/sdk.js';
import { shownPlan } from '../../src/engine/write-diff.js';

const ok = (stdout: string) => ({ code: 0, stdout, stderr: '' });
const Q = { follow: false, checksum: 'sha1' as const, mime: true, attributes: true };

test('stat: a regular file as Ansible describes it', (t) => {
  const p = stat.params.parse({ path: '/etc/motd' });
  const probe = pathStat.parse(
    ok(
      'stat|81a4|0|0|12|77|65024|1|1796001251 2026-11-30 01:49:34.705433670 +0000|1796001251 2026-11-30 01:49:34.500000000 +0000|1796001251 2026-11-30 01:49:34.250000000 +0000|root|root|8|4096|0|0\nreadable\nwriteable\nchecksum|0123abcd  -\nmime|/etc/motd: text/plain; charset=us-ascii\nlsattr|12345 --------------e------- /etc/motd\n',
    ),
    '/etc/motd',
    Q,
  );
  const plan = stat.plan(probe, p);
  t.deepEqual(plan.steps, []);
  t.like(plan.data?.stat as object, {
    exists: true,
    path: '/etc/motd',
    mode: '0644',
    isreg: true,
    isdir: false,
    islnk: false,
    uid: 0,
    pw_name: 'root',
    gr_name: 'root',
    size: 12,
    mtime: 1796001251.5,
    ctime: 1796001251.25,
    rusr: true,
    wusr: true,
    xusr: false,
    roth: true,
    woth: false,
    readable: true,
    executable: false,
    checksum: '0123abcd',
    mimetype: 'text/plain',
    charset: 'us-ascii',
    attributes: ['extents'],
    attr_flags: 'e',
    version: '12345',
  });
});

test('stat: absent, a link (not followed), no mime or checksum asked', (t) => {
  const p = stat.params.parse({ path: '/l', get_mime: false, get_attributes: false, get_checksum: false });
  t.deepEqual(statResult(pathStat.parse(ok('absent\n'), '/l', Q), p), { exists: false });
  const link = statResult(
    pathStat.parse(
      ok('stat|a1ff|0|0|4|1|2|1|1 x|1 x|1 x|UNKNOWN|root|0|4096|0|0\nreadable\ntarget|/etc/x\nsource|/etc/x\n'),
      '/l',
      Q,
    ),
    p,
  );
  t.like(link, {
    islnk: true,
    isreg: false,
    mode: '0777',
    lnk_target: '/etc/x',
    lnk_source: '/etc/x',
    gr_name: 'root',
  });
  t.false('pw_name' in link);
  t.false('mimetype' in link);
  t.false('checksum' in link);
  const cmd = pathStat.command('/l', { follow: false, checksum: 'sha256', mime: false, attributes: false });
  t.true(cmd.readOnly);
  t.regex(cmd.text, /sha256sum < \/l/);
  t.notRegex(cmd.text, /stat -L/);
  t.regex(pathStat.command('/l', { follow: true, checksum: null, mime: true, attributes: true }).text, /stat -L -c/);
});

const sysv = (running: boolean, enabled: boolean): ServiceFacts => ({ init: 'sysv', running, enabled, status: '' });
const titles = (f: ServiceFacts, params: Record<string, unknown>) =>
  service
    .plan(f, service.params.parse({ name: 'nginx', ...params }))
    .steps.map((s) => (s.kind === 'exec' ? s.cmd.display : s.title));

test('service: started / stopped / enabled change only what differs', (t) => {
  t.deepEqual(titles(sysv(false, false), { state: 'started', enabled: true }), [
    'update-rc.d nginx defaults && update-rc.d nginx enable',
    'service nginx start',
  ]);
  t.deepEqual(titles(sysv(true, true), { state: 'started', enabled: true }), []);
  t.deepEqual(titles(sysv(true, true), { state: 'stopped', enabled: false }), [
    'update-rc.d nginx disable',
    'service nginx stop',
  ]);
  const systemd: ServiceFacts = { init: 'systemd', running: false, enabled: true, status: '' };
  t.deepEqual(titles(systemd, { state: 'started' }), ['systemctl start -- nginx']);
  const upstart: ServiceFacts = { init: 'upstart', running: true, enabled: true, status: '' };
  t.deepEqual(titles(upstart, { enabled: false }), ['echo manual >> /etc/init/nginx.override']);
});

test('service: restarted and reloaded act every run (always steps); reloaded starts a stopped service', (t) => {
  const p = service.plan(sysv(true, true), service.params.parse({ name: 'nginx', state: 'restarted' }));
  t.deepEqual(
    p.steps.map((s) => s.kind === 'exec' && s.always),
    [true],
  );
  t.like(p.data, { name: 'nginx', state: 'started' });
  t.deepEqual(titles(sysv(false, true), { state: 'reloaded' }), ['service nginx start']);
  t.deepEqual(titles(sysv(true, true), { state: 'reloaded' }), ['service nginx reload']);
});

test('service: missing service fails as in Ansible; params need state or enabled; names are checked', (t) => {
  const p = service.plan({ init: 'missing', detected: 'sysv' }, service.params.parse({ name: 'x', state: 'started' }));
  t.is(p.fail, 'Could not find the requested service x: host');
  t.false(service.params.safeParse({ name: 'x' }).success);
  t.false(service.params.safeParse({ name: '-x', state: 'started' }).success);
});

test('service probe: systemd, sysv and upstart outputs', (t) => {
  t.like(serviceState.parse(ok('init=systemd\nLoadState=loaded\nActiveState=active\nUnitFileState=disabled\n'), 'n'), {
    init: 'systemd',
    running: true,
    enabled: false,
  });
  t.like(serviceState.parse(ok('init=systemd\nLoadState=not-found\nActiveState=inactive\n'), 'n'), { init: 'missing' });
  t.like(
    serviceState.parse(ok('init=sysv\nenabled=yes\nrc=3\n--- status ---\nnginx is not running ... failed!\n'), 'nginx'),
    {
      init: 'sysv',
      running: false,
      enabled: true,
    },
  );
  t.like(
    serviceState.parse(ok('init=upstart\nenabled=no\n--- status ---\nnginx start/running, process 42\n'), 'nginx'),
    {
      running: true,
      enabled: false,
    },
  );
  t.deepEqual(serviceState.parse(ok('missing=sysv\n'), 'n'), { init: 'missing', detected: 'sysv' });
  t.true(serviceState.command('nginx').readOnly);
});

test('service: the sysvinit status heuristics of Ansible', (t) => {
  t.true(sysvRunning('nginx', 0, 'nginx is running.\n'));
  t.false(sysvRunning('nginx', 0, 'nginx is stopped\n'));
  t.false(sysvRunning('nginx', 3, 'whatever\n'));
  t.true(sysvRunning('nginx', 0, 'line one\nline two\n'));
  // Ansible's words do not decide "is not running": the exit code does.
  t.true(sysvRunning('nginx', 0, ' * nginx is not running\n'));
  t.false(sysvRunning('nginx', 3, ' * nginx is not running\n'));
});

const bytes = (s: string) => new TextEncoder().encode(s);
const remote = (s: string) => ({
  kind: 'file' as const,
  sha1: digest('sha1', s),
  base64: Buffer.from(s).toString('base64'),
});

test('fetch: dest/HOSTNAME/path, flat, trailing slash; traversal cannot leave dest', (t) => {
  const p = (o: Record<string, unknown>) => fetch.params.parse({ src: '/etc/kato.yml', dest: 'backups', ...o });
  t.is(destFor('node1', p({})), 'backups/node1/etc/kato.yml');
  t.is(destFor('node1', p({ flat: true, dest: 'b/' })), 'b/kato.yml');
  t.is(destFor('node1', p({ flat: true, dest: 'b/x.yml' })), 'b/x.yml');
  t.is(destFor('node1', p({ src: '/../../etc/x' })), 'backups/node1/etc/x');
});

test('fetch: writes on the controller when the sha1 differs, not when equal; missing and folders', async (t) => {
  const p = fetch.params.parse({ src: '/etc/x', dest: 'd' });
  const local = { path: '/pb/d/h/etc/x', bytes: null };
  const first = fetch.plan({ remote: remote('hi\n'), local }, p);
  t.deepEqual(
    first.steps.map((s) => [s.kind, s.title]),
    [['controller-write', 'fetch /etc/x -> /pb/d/h/etc/x']],
  );
  t.like(first.data, {
    dest: '/pb/d/h/etc/x',
    checksum: digest('sha1', 'hi\n'),
    remote_checksum: digest('sha1', 'hi\n'),
  });
  const same = fetch.plan({ remote: remote('hi\n'), local: { ...local, bytes: bytes('hi\n') } }, p);
  t.deepEqual(same.steps, []);
  t.is(
    fetch.plan({ remote: { kind: 'absent' }, local }, p).fail,
    'the remote file does not exist, not transferring, ignored',
  );
  const ignored = fetch.plan(
    { remote: { kind: 'directory' }, local },
    fetch.params.parse({ src: '/etc', dest: 'd', fail_on_missing: false }),
  );
  t.is(ignored.fail, undefined);
  t.is(ignored.data?.msg, 'remote file is a directory, fetch cannot work on directories, not transferring, ignored');
  const bad = fetch.plan({ remote: { ...remote('hi\n'), sha1: '0'.repeat(40) }, local }, p);
  t.is(bad.fail, 'checksum mismatch');
  const binary = fetch.plan(
    { remote: { kind: 'file', sha1: digest('sha1', new Uint8Array([255, 0])), base64: '/wA=' }, local },
    p,
  );
  const step = binary.steps[0]!;
  t.deepEqual(step.kind === 'controller-write' ? step.after : undefined, sumOf(new Uint8Array([255, 0])));
  const [shown] = (await shownPlan(binary, true, undefined)).steps;
  t.like(shown, { size: 2, diff: '(diff not shown: 2 bytes, binary)' });
});
