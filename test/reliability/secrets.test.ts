// Secrets never reach any output: a run against real sshd in plain, json and tree modes, grepped for every secret value.
import test from 'ava';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canRunSshd, startSshd, whyNoSshd, type Sshd } from '../helpers/sshd.js';
import { runCli, type CliResult } from '../integration/cli.js';

// Each value is unique and long enough that finding it anywhere in the output can only be a leak.
const SECRETS = {
  sshPassword: 'Ssh-Pw-7f3a91c2',
  becomePassword: 'Become-Pw-44e0b7d1',
  dbPassword: 'Db-Pw-9c1d55aa',
  noLogOutput: 'NoLog-Out-3b8e2f60',
  markedSecret: 'Marked-Var-0d4c7e19',
  extraToken: 'Extra-Tok-6a2f90b3',
};

let sshd: Sshd | undefined;
let work = '';

test.before(async () => {
  if (!canRunSshd()) return;
  work = mkdtempSync(join(tmpdir(), 'stackplay-secrets-'));
  sshd = await startSshd();
});

test.after.always(async () => {
  await sshd?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

function files(tag: string): { inventory: string; playbook: string; root: string } {
  const root = join(work, tag);
  mkdirSync(root, { recursive: true });
  const vars = Object.entries(sshd!.inventoryVars())
    .map(([k, v]) => `${k}='${v}'`)
    .join(' ');
  const inventory = join(work, `${tag}.ini`);
  writeFileSync(
    inventory,
    [
      '[web]',
      `node1 ${vars} ansible_password=${SECRETS.sshPassword} ansible_become_password=${SECRETS.becomePassword}`,
      '[web:vars]',
      `db_password=${SECRETS.dbPassword}`,
      `api_handle=${SECRETS.markedSecret}`,
      'stackplay_secret_vars=api_handle',
      '',
    ].join('\n'),
  );
  const playbook = join(work, `${tag}.yml`);
  writeFileSync(
    playbook,
    `
- hosts: web
  tasks:
    - name: config with a password
      copy: { dest: "${root}/db.conf", content: "user=app\\npassword={{ db_password }}\\nhandle={{ api_handle }}\\n", mode: "0600" }
    - name: make a secret without logging it
      shell: "echo NoLog-Out-$((1+2))b8e2f60"
      register: made
      no_log: true
      changed_when: false
    - name: use the secret made by the no_log task
      debug: { msg: "made {{ made.stdout }}" }
    - name: show the marked and extra secrets
      debug: { msg: "handle {{ api_handle }} token {{ token }} db {{ db_password }}" }
    - name: a privileged command
      command: id -u
      become: true
      changed_when: false
    - name: a failure whose message holds secrets
      shell: "echo failing with {{ db_password }} and {{ api_handle }} >&2; exit 3"
      ignore_errors: true
    - name: a command that echoes the secret
      command: "echo {{ db_password }} {{ made.stdout }}"
      changed_when: false
`,
  );
  return { inventory, playbook, root };
}

function leaks(r: CliResult): string[] {
  const all = r.stdout + r.stderr;
  return Object.entries(SECRETS)
    .filter(([, v]) => all.includes(v))
    .map(([k]) => k);
}

const it = canRunSshd() ? test.serial : test.serial.skip;
if (!canRunSshd())
  test('secrets (skipped)', (t) => {
    t.log(whyNoSshd());
    t.pass();
  });

for (const mode of ['plain', 'json', 'tree'] as const) {
  it(`no secret appears in ${mode} output, with --diff, or in error messages`, async (t) => {
    const { inventory, playbook, root } = files(mode);
    const r = await runCli([
      'run',
      playbook,
      '-i',
      inventory,
      '--output',
      mode,
      '--diff',
      '-e',
      `token=${SECRETS.extraToken}`,
    ]);
    // The failing task is ignored, so the run is ok; the secrets were really used on the host.
    t.is(r.code, 0, r.stdout + r.stderr);
    t.is(
      readFileSync(join(root, 'db.conf'), 'utf8'),
      `user=app\npassword=${SECRETS.dbPassword}\nhandle=${SECRETS.markedSecret}\n`,
    );
    t.true((r.stdout + r.stderr).includes('********'), 'nothing was masked: the run did not show the values at all');
    t.deepEqual(leaks(r), [], r.stdout + r.stderr);
  });
}

it('no secret appears when the host is unreachable or the run is checked', async (t) => {
  const { inventory, playbook } = files('check');
  const r = await runCli([
    'run',
    playbook,
    '-i',
    inventory,
    '--output',
    'json',
    '--check',
    '--diff',
    '-e',
    `token=${SECRETS.extraToken}`,
  ]);
  t.deepEqual(leaks(r), [], r.stdout + r.stderr);
  const bad = join(work, 'unreach.ini');
  writeFileSync(
    bad,
    `[web]\nnode1 ansible_host=127.0.0.1 ansible_port=1 ansible_user=root ansible_password=${SECRETS.sshPassword} ansible_become_password=${SECRETS.becomePassword} db_password=${SECRETS.dbPassword} api_handle=${SECRETS.markedSecret} stackplay_secret_vars=api_handle\n`,
  );
  const u = await runCli([
    'run',
    playbook,
    '-i',
    bad,
    '--output',
    'plain',
    '--timeout',
    '5',
    '-e',
    `token=${SECRETS.extraToken}`,
  ]);
  t.is(u.code, 3, u.stdout + u.stderr);
  t.deepEqual(leaks(u), [], u.stdout + u.stderr);
});
