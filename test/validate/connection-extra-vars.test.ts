// Connection vars from -e: they win over the inventory for the connection, as in Ansible, and a bad one stops the run at load.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { loadForRun } from '../../src/run.js';

function load(t: { teardown(fn: () => void): void }, inventory: string, extraVars: string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'sp-conn-e-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'hosts.ini'), inventory);
  writeFileSync(join(dir, 'site.yml'), '- hosts: all\n  tasks:\n    - command: "true"\n');
  return loadForRun({ playbook: join(dir, 'site.yml'), inventories: [join(dir, 'hosts.ini')], extraVars });
}

test('-e ansible_port that is no number is one E_CONNECTION_VAR at the -e, exit 4 before connecting', (t) => {
  const r = load(t, '[web]\nweb1 ansible_host=127.0.0.1\nweb2 ansible_host=127.0.0.1\n', ['a=1', 'ansible_port=ssh']);
  t.is(r.loaded, undefined);
  const ds = r.diagnostics.filter((d) => d.code === 'E_CONNECTION_VAR');
  t.is(ds.length, 1);
  t.regex(ds[0]!.message, /ansible_port must be a port number \(1-65535\), got "ssh"/);
  t.like(ds[0]!.at, { file: '-e #2', line: 1, col: 1 });
});

test('-e connection vars win over the inventory (an inventory value they replace is not used)', (t) => {
  const r = load(t, '[web]\nweb1 ansible_host=127.0.0.1 ansible_port=nope ansible_connection=telnet\n', [
    '{"ansible_port": 2222, "ansible_connection": "ssh", "ansible_user": "deploy"}',
  ]);
  t.deepEqual(r.diagnostics, []);
  const c = r.loaded!.hosts.get('web1')!.connection!;
  t.like(c, { port: 2222, user: 'deploy', kind: 'ssh', address: '127.0.0.1' });
});

test('-e naming a key file that is not there is an error; an unknown -e ansible_connection too', (t) => {
  const r = load(t, 'web1 ansible_host=127.0.0.1\n', [
    '{"ansible_ssh_private_key_file": "/nonexistent/key", "ansible_connection": "winrm"}',
  ]);
  t.regex(r.diagnostics.map((d) => d.message).join('\n'), /no key file at \/nonexistent\/key/);
  const r2 = load(t, 'web1 ansible_host=127.0.0.1\n', ['ansible_connection=winrm']);
  t.regex(r2.diagnostics[0]!.message, /ansible_connection "winrm" is not supported/);
});
