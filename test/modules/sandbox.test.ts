// The sandbox host's own contract: absolute paths land in its temp folder and never on this machine, its
// network is its own, accounts and login user, recorded programs, the change check, and teardown.
import test from 'ava';
import { existsSync, readFileSync } from 'node:fs';
import { readOnly, sh } from '../../src/sdk.js';
import { CommandTimeoutError } from '../../src/transport/errors.js';
import { Sandbox, sandboxSkipReason, sandboxTest } from '../helpers/sandbox.js';

const open = async (t: { teardown(f: () => Promise<void>): void }, ...a: Parameters<typeof Sandbox.open>) => {
  const host = await Sandbox.open(...a);
  t.teardown(() => host.close());
  return host;
};
const run = (host: Sandbox, text: string, stdin?: string) =>
  host.transport.exec(readOnly(sh`sh -c ${text}`), stdin !== undefined ? { stdin } : {});

sandboxTest('absolute paths are the sandbox folder: this machine is neither read nor written', async (t) => {
  const host = await open(t, { files: { '/etc/hostname': 'sandbox\n' } });
  const real = readFileSync('/etc/hostname', 'utf8');
  t.is((await run(host, 'cat /etc/hostname')).stdout, 'sandbox\n');
  t.is(await host.transport.read('/etc/hostname'), 'sandbox\n');
  await host.transport.write('/etc/hostname', 'renamed\n');
  await run(host, 'echo made > /stackplay-sandbox-made');
  t.is(host.file('/etc/hostname'), 'renamed\n');
  t.is(host.file('/stackplay-sandbox-made'), 'made\n');
  t.is(readFileSync('/etc/hostname', 'utf8'), real);
  t.false(existsSync('/stackplay-sandbox-made'));
});

sandboxTest("the machine's /usr is there for the tools, read-only", async (t) => {
  const host = await open(t);
  t.is((await run(host, 'sha256sum /dev/null | cut -c1-8')).stdout, 'e3b0c442\n');
  const r = await run(host, 'touch /usr/stackplay-sandbox-probe');
  t.not(r.code, 0);
  t.regex(r.stderr, /Read-only file system/);
});

sandboxTest('the host starts with empty top-level folders and the tools’ own /etc only', async (t) => {
  const host = await open(t);
  for (const d of ['etc', 'tmp', 'var', 'home', 'root', 'opt', 'srv', 'mnt'])
    t.like(host.lstat(`/${d}`), { type: 'directory', mode: 0o755, owner: 'root' }, d);
  t.deepEqual(host.list('/etc'), []);
  t.deepEqual(host.list('/srv'), []);
});

sandboxTest('commands run in /root with stdin, through the local transport (timeouts included)', async (t) => {
  const host = await open(t);
  t.is((await run(host, 'pwd; cat', 'in')).stdout, '/root\nin');
  await t.throwsAsync(host.transport.exec(sh`sleep 30`, { timeoutMs: 200 }), { instanceOf: CommandTimeoutError });
  t.is(await host.transport.read('/etc/nope'), null);
});

sandboxTest('the accounts stackato, deploy and nobody exist; owners are set and shown by name', async (t) => {
  const host = await open(t, {
    files: { '/srv/f': { content: 'x', owner: 'stackato', group: 'deploy', mode: '0640' } },
  });
  t.is((await run(host, "stat -c '%U:%G %a' /srv/f")).stdout, 'stackato:deploy 640\n');
  await run(host, 'chown nobody:nogroup /srv/f');
  t.like(host.lstat('/srv/f'), { type: 'file', content: 'x', owner: 'nobody', group: 'nogroup', mode: 0o640 });
  await t.throwsAsync(Sandbox.open({ files: { '/x': { content: '', owner: 'nosuch' } } }), {
    message: /no account "nosuch"/,
  });
});

sandboxTest('with a login user, write() leaves the file owned by it; without, by root', async (t) => {
  const deploy = await open(t, { user: 'deploy' });
  await deploy.transport.write('/etc/motd', 'x', { mode: '0600' });
  t.like(deploy.lstat('/etc/motd'), { owner: 'deploy', group: 'deploy', mode: 0o600, content: 'x' });
  const root = await open(t);
  await root.transport.write('/etc/motd', 'x');
  t.like(root.lstat('/etc/motd'), { owner: 'root', mode: 0o644 });
});

sandboxTest('the network is its own: loopback only, ports open and close on demand', async (t) => {
  const host = await open(t, { listening: [8080] });
  const probe = (addr: string, port: number) => run(host, `timeout 3 bash -c 'exec 3<>/dev/tcp/${addr}/${port}'`);
  t.is((await probe('127.0.0.1', 8080)).code, 0);
  t.is((await probe('127.0.0.1', 8081)).code, 1);
  t.regex((await probe('10.0.0.5', 9022)).stderr, /unreachable/i);
  await host.unlisten(8080);
  t.is((await probe('127.0.0.1', 8080)).code, 1);
  await host.listen(8081);
  t.is((await probe('127.0.0.1', 8081)).code, 0);
  t.is((await run(host, "ip -o link | cut -d' ' -f2")).stdout, 'lo:\n');
});

sandboxTest('a recorded program logs its arguments and still runs', async (t) => {
  const host = await open(t, { record: ['sleep'] });
  t.is((await run(host, 'sleep 0; sleep 0.1 && echo slept')).stdout, 'slept\n');
  t.deepEqual(host.recorded('sleep'), ['0', '0.1']);
  t.deepEqual(host.recorded('date'), []);
});

sandboxTest('the change check sees content, mode, owner, new and removed entries', async (t) => {
  const host = await open(t, { files: { '/etc/a': 'a', '/etc/b': 'b' }, links: { '/etc/l': '/etc/a' } });
  const before = host.snapshot();
  t.deepEqual(host.snapshot(), before);
  for (const change of ['echo x >> /etc/a', 'chmod 600 /etc/a', 'chown nobody /etc/a', 'touch /tmp/n', 'rm /etc/b']) {
    const box = await open(t, { files: { '/etc/a': 'a', '/etc/b': 'b' }, links: { '/etc/l': '/etc/a' } });
    const was = box.snapshot();
    t.deepEqual(was, before);
    await run(box, change);
    t.notDeepEqual(box.snapshot(), was, change);
  }
  await run(host, 'ln -sfn /etc/b /etc/l');
  t.notDeepEqual(host.snapshot(), before, 're-pointed link');
});

sandboxTest('the transport logs every call; changes() are writes and commands not read-only', async (t) => {
  const host = await open(t);
  await host.transport.exec(readOnly(sh`true`));
  await host.transport.read('/etc/x');
  t.deepEqual(host.changes(), []);
  await host.transport.exec({ ...sh`true`, become: { user: 'root', method: 'sudo' } });
  await host.transport.write('/etc/x', 'x', { mode: '0600' });
  t.deepEqual(
    host.calls.map((c) => c.kind),
    ['exec', 'read', 'exec', 'write'],
  );
  t.like(host.changes(), [
    { kind: 'exec', text: 'true', readOnly: false, become: true },
    { kind: 'write', path: '/etc/x', content: 'x', mode: '0600', become: false },
  ]);
});

sandboxTest('close() ends the namespaces and removes the folder; a second close is harmless', async (t) => {
  const host = await Sandbox.open({ listening: [80] });
  const dir = host.dir;
  t.true(existsSync(dir));
  await host.close();
  t.false(existsSync(dir));
  await t.notThrowsAsync(host.close());
});

(sandboxSkipReason ? test : test.skip)('where there can be no sandbox, opening one says why', async (t) => {
  await t.throwsAsync(Sandbox.open(), { message: `sandbox: ${sandboxSkipReason}` });
});
