// wait_for module: already satisfied, one polling step, timeout failure, and the poll script on the real /bin/sh.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '../../modules/wait_for.js';
import { planOn } from '../helpers/host-view.js';
import { sandboxTest, Sandbox, type HostState } from '../helpers/sandbox.js';
import { paramsCase, table } from './macro.js';

table(waitFor, [
  {
    title: 'an open port: nothing to wait for',
    params: { port: 8080 },
    host: { listening: [8080] },
    note: '127.0.0.1:8080 is started',
  },
  {
    title: 'a closed port: one read-only polling step, done once the port opens',
    params: { port: 8080, timeout: 60 },
    steps: [{ title: 'wait for 127.0.0.1:8080 to be started (up to 60s)', readOnly: true }],
    converge: true,
    beforeApply: (host) => host.listen(8080),
  },
  {
    title: 'a port that never opens fails after the timeout',
    params: { host: '10.0.0.5', port: 9022, timeout: 5, sleep: 2 },
    steps: ['wait for 10.0.0.5:9022 to be started (up to 5s)'],
    applyFails: /timed out after 5s waiting for 10\.0\.0\.5:9022 to be started/,
  },
  {
    title: 'a custom timeout message',
    params: { port: 1, timeout: 0, msg: 'core did not come up' },
    steps: ['wait for 127.0.0.1:1 to be started (up to 0s)'],
    applyFails: /core did not come up/,
  },
  {
    title: 'stopped: waits until the port refuses',
    params: { port: 80, state: 'stopped' },
    host: { listening: [80] },
    steps: ['wait for 127.0.0.1:80 to be stopped (up to 300s)'],
    converge: true,
    beforeApply: (host) => host.unlisten(80),
  },
  {
    title: 'a path that exists',
    params: { path: '/var/run/ready' },
    host: { files: { '/var/run/ready': '' } },
    note: '/var/run/ready is present',
  },
  {
    title: 'a path that appears',
    params: { path: '/var/run/ready', delay: 3 },
    host: { dirs: ['/var/run'], record: ['sleep'] },
    steps: ['wait for /var/run/ready to be present (up to 300s)'],
    converge: true,
    beforeApply: (host) => host.writeFile('/var/run/ready', ''),
    after: (t, host) => t.deepEqual(host.recorded('sleep'), ['3'], 'the delay was slept once'),
  },
  {
    title: 'absent: waits until the path goes',
    params: { path: '/tmp/lock', state: 'absent' },
    host: { files: { '/tmp/lock': '' } },
    steps: ['wait for /tmp/lock to be absent (up to 300s)'],
    converge: true,
    beforeApply: (host) => host.remove('/tmp/lock'),
  },
]);

sandboxTest('wait_for: the poll script runs on the real /bin/sh', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'stackplay-wait-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const ready = join(dir, "it's ready");
  // Planned on a sandbox where the condition does not hold; run here for real with timeout 0 (no sleeping).
  const script = async (params: Record<string, unknown>, state: HostState = {}) => {
    const host = await Sandbox.open(state);
    t.teardown(() => host.close());
    const s = (await planOn(waitFor, host.transport, params)).steps[0];
    if (s?.kind !== 'exec') throw new Error('expected one exec step');
    return s.cmd.text;
  };
  const present = await script({ path: ready, timeout: 0 });
  const before = spawnSync('/bin/sh', ['-c', present], { encoding: 'utf8' });
  t.is(before.status, 1);
  t.regex(before.stderr, /timed out after 0s waiting for .*it's ready to be present/);
  writeFileSync(ready, '');
  t.is(spawnSync('/bin/sh', ['-c', present]).status, 0);
  const absent = await script({ path: ready, state: 'absent', timeout: 0 }, { files: { [ready]: '' } });
  t.is(spawnSync('/bin/sh', ['-c', absent]).status, 1);
  rmSync(ready);
  t.is(spawnSync('/bin/sh', ['-c', absent]).status, 0);
});

test(paramsCase, waitFor, { port: 22 }, true);
test(paramsCase, waitFor, {}, /exactly one of port or path/);
test(paramsCase, waitFor, { port: 22, path: '/x' }, /exactly one of port or path/);
test(paramsCase, waitFor, { port: 22, state: 'present' }, /state present is for path/);
test(paramsCase, waitFor, { path: '/x', state: 'started' }, /state started is for port/);
test(paramsCase, waitFor, { port: 70000 }, /too big|less than or equal/i);
test(paramsCase, waitFor, { port: 22, sleep: 0 }, /sleep must be at least 1 second/);
test(paramsCase, waitFor, { port: 22, delay: -1 }, /delay cannot be negative/);
test(paramsCase, waitFor, { port: 22, host: 'a b' }, /host must be a host name or an IP address/);
test(paramsCase, waitFor, { port: 22, timeout: '5m' }, /timeout must be a number of seconds/);
