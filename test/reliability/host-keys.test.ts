// Host keys through the CLI against a real sshd: a changed key is refused (host and known_hosts line named); accept-new never overwrites one.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canRunSshd, startSshd, whyNoSshd, type Sshd } from '../helpers/sshd.js';
import { runCli } from '../integration/cli.js';

let sshd: Sshd | undefined;
let work = '';
let otherKey = '';

test.before(async () => {
  if (!canRunSshd()) return;
  work = mkdtempSync(join(tmpdir(), 'stackplay-hostkeys-'));
  sshd = await startSshd();
  // Another machine's key: what known_hosts holds when the node was rebuilt, or someone is in the middle.
  spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(work, 'other')]);
  otherKey = readFileSync(join(work, 'other.pub'), 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');
});

test.after.always(async () => {
  await sshd?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** An inventory of node1 checked against `knownHosts` only; its playbook leaves a mark when it runs. */
function setup(tag: string, knownHosts: string): { inventory: string; playbook: string; mark: string } {
  const v = sshd!.inventoryVars();
  const mark = join(work, `${tag}.ran`);
  const inventory = join(work, `${tag}.ini`);
  writeFileSync(
    inventory,
    `[web]\nnode1 ansible_host=${v.ansible_host} ansible_port=${v.ansible_port} ansible_user=${v.ansible_user} ansible_ssh_private_key_file=${v.ansible_ssh_private_key_file} ansible_ssh_common_args='-o UserKnownHostsFile=${knownHosts}'\n`,
  );
  const playbook = join(work, `${tag}.yml`);
  writeFileSync(playbook, `- hosts: web\n  tasks:\n    - copy: { dest: "${mark}", content: "ran\\n" }\n`);
  return { inventory, playbook, mark };
}

const it = canRunSshd() ? test.serial : test.serial.skip;
if (!canRunSshd())
  test('host keys (skipped)', (t) => {
    t.log(whyNoSshd());
    t.pass();
  });

for (const mode of ['strict', 'accept-new'] as const) {
  it(`a changed host key is refused in ${mode} mode, naming the host and the known_hosts line, which stays as it was`, async (t) => {
    const known = join(work, `changed-${mode}`);
    const content = `# comment\n[${sshd!.host}]:${sshd!.port} ${otherKey}\n`;
    writeFileSync(known, content);
    const extra = join(work, `extra-${mode}`);
    const { inventory, playbook, mark } = setup(`changed-${mode}`, known);
    const r = await runCli([
      'run',
      playbook,
      '-i',
      inventory,
      '--output',
      'plain',
      '--host-key-checking',
      mode,
      '--known-hosts',
      extra,
    ]);
    t.is(r.code, 3, r.stdout + r.stderr);
    t.regex(r.stdout, /unreachable: node1 => .*host key for .* has CHANGED/);
    t.true(r.stdout.includes(`${known}:2`), r.stdout);
    t.regex(r.stdout, /node1 +: ok=0 +changed=0 +unreachable=1/);
    t.false(existsSync(mark), 'the run talked to a host whose key changed');
    t.is(readFileSync(known, 'utf8'), content);
    t.false(
      existsSync(extra) && readFileSync(extra, 'utf8').includes(sshd!.hostKeyPublic),
      'accept-new recorded the changed key',
    );
  });
}

it('accept-new records an unknown key once; the next strict run trusts it', async (t) => {
  const known = join(work, 'empty-known');
  writeFileSync(known, '');
  const record = join(work, 'recorded-known');
  const { inventory, playbook, mark } = setup('new', known);
  const strict = await runCli(['run', playbook, '-i', inventory, '--output', 'plain']);
  t.is(strict.code, 3, strict.stdout + strict.stderr);
  t.regex(strict.stdout, /is not known/);
  t.false(existsSync(mark));

  const r = await runCli([
    'run',
    playbook,
    '-i',
    inventory,
    '--output',
    'plain',
    '--host-key-checking',
    'accept-new',
    '--known-hosts',
    record,
  ]);
  t.is(r.code, 0, r.stdout + r.stderr);
  t.true(existsSync(mark));
  t.true(readFileSync(record, 'utf8').includes(sshd!.hostKeyPublic));

  const again = await runCli(['run', playbook, '-i', inventory, '--output', 'plain', '--known-hosts', record]);
  t.is(again.code, 0, again.stdout + again.stderr);
});
