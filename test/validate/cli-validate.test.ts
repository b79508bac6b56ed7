// Validate before touch through the real CLI: exit 4 before any ProxyCommand starts; the shipped cluster playbook and prod example pass it.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { recapOf, runCli } from '../integration/cli.js';

function workDir(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'sp-validate-cli-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * Every host reached through a ProxyCommand that leaves a marker file and fails: it runs on this
 * machine only (sh -c), never opens a socket, and shows whether anything tried to connect.
 */
const proxyArgs = (marker: string) => `-o ProxyCommand="touch ${marker}; exit 1"`;

test('an undefined variable is exit 4 with the diagnostic, and no host is contacted', async (t) => {
  const dir = workDir(t);
  const marker = join(dir, 'proxy-ran');
  writeFileSync(
    join(dir, 'hosts.yml'),
    JSON.stringify({
      web: {
        hosts: { web1: { app_port: 8080 }, web2: {} },
        vars: { ansible_host: '127.0.0.1', ansible_user: 'nobody', ansible_ssh_common_args: proxyArgs(marker) },
      },
    }),
  );
  writeFileSync(join(dir, 'site.yml'), '- hosts: web\n  tasks:\n    - command: "echo {{ app_port }}"\n');
  const r = await runCli(['run', join(dir, 'site.yml'), '-i', join(dir, 'hosts.yml'), '--output', 'plain']);
  t.is(r.code, 4, r.stderr + r.stdout);
  t.regex(r.stderr, /error\[E_UNDEFINED_VAR\] undefined variable "app_port" for host web2\n {2}--> .*site\.yml:3:25/);
  t.false(existsSync(marker), 'a ProxyCommand started on bad input');
  t.false(/^(RUN|CHECK) /m.test(r.stdout), 'the run started');

  // The same hosts with the variable given: the run goes on and does try to connect (so the marker can tell).
  const ok = await runCli([
    'run',
    join(dir, 'site.yml'),
    '-i',
    join(dir, 'hosts.yml'),
    '-e',
    'app_port=80',
    '--output',
    'json',
  ]);
  t.is(ok.code, 3, ok.stderr + ok.stdout);
  t.true(existsSync(marker), 'the control run never tried to connect');
});

/** Every host of inventory/prod.example.ini, as the run names them (ranges expanded). */
const PROD_HOSTS = [
  'core1',
  'ctl1',
  'ctl2',
  'router1',
  'router2',
  'router3',
  'lb1',
  'data1',
  'db1',
  'db2',
  ...Array.from({ length: 12 }, (_, i) => `dea${String(i + 1).padStart(2, '0')}`),
  'harbor1',
].map((h) => `${h}.prod.example.com`);

for (const [playbook, extra] of [
  ['playbooks/cluster.yml', []],
  ['playbooks/cluster.yml', ['-e', 'prune=true']],
  ['playbooks/prune.yml', []],
] as const) {
  test(`acceptance: ${playbook} ${extra.join(' ')} with inventory/prod.example.ini --check passes validation and stops only at unreachable hosts`, async (t) => {
    const dir = workDir(t);
    const marker = join(dir, 'proxy-ran');
    const key = join(dir, 'id_test');
    writeFileSync(key, 'not a real key: nothing connects\n', { mode: 0o600 });
    // -e wins over the inventory for the connection too: every host is 127.0.0.1 through a local
    // ProxyCommand that fails, so no packet can go to the example's 10.20.0.x addresses or its bastion.
    const override = JSON.stringify({
      ansible_host: '127.0.0.1',
      ansible_ssh_common_args: proxyArgs(marker),
      ansible_ssh_private_key_file: key,
    });
    const r = await runCli([
      'run',
      playbook,
      '-i',
      'inventory/prod.example.ini',
      '--check',
      ...extra,
      '-e',
      override,
      '--output',
      'json',
    ]);
    t.notRegex(r.stdout + r.stderr, /E_UNDEFINED_VAR|E_CONNECTION_VAR|undefined variable|error\[/);
    t.is(r.code, 3, r.stderr + r.stdout.slice(-3000));
    const recap = recapOf(r) as Record<string, { failed: number; unreachable: number }>;
    // The core comes first and gates the run (any_errors_fatal, issue 11 point 3): unreachable, it stops the
    // run there, as ansible-playbook stops once every host of a play failed. Nothing failed otherwise.
    t.deepEqual(Object.keys(recap), ['core1.prod.example.com']);
    for (const [host, line] of Object.entries(recap)) {
      t.is(line.failed, 0, `${host}: ${JSON.stringify(line)}`);
      t.true(line.unreachable > 0, `${host} was not reported unreachable: ${JSON.stringify(line)}`);
    }
    t.true(existsSync(marker), 'no host was tried');
    if (playbook === 'playbooks/cluster.yml') {
      // Every host is in the run's plays, db1/db2 (roles only from stackato_roles) in the attach play's
      // data services phase (--list-hosts connects nowhere).
      const list = await runCli(['run', playbook, '-i', 'inventory/prod.example.ini', ...extra, '--list-hosts']);
      t.is(list.code, 0, list.stderr);
      const listed = new Set(list.stdout.split('\n').map((l) => l.trim()));
      t.deepEqual(
        PROD_HOSTS.filter((h) => !listed.has(h)),
        [],
        list.stdout,
      );
      const attach = list.stdout.slice(list.stdout.indexOf(': attach the nodes to the core'));
      const phase = /# phase data_services\n((?: {4}\S+\n)+)/.exec(attach)?.[1];
      t.deepEqual(phase?.trim().split(/\s+/), [
        'data1.prod.example.com',
        'db1.prod.example.com',
        'db2.prod.example.com',
      ]);
    }
  });
}
