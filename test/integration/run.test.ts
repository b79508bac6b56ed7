// The CLI against real sshd servers on loopback: idempotence, check mode, unreachable hosts, exit codes.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSshd, type Sshd } from '../helpers/sshd.js';
import { waitUntil } from '../helpers/wait.js';
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
    const vars = Object.entries(v)
      .map(([k, val]) => `${k}='${val}'`)
      .join(' ');
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
  t.is(
    readFileSync(join(work, 'twice', 'node3', 'app.conf'), 'utf8'),
    '# managed by stackplay\nname = node3\nport = 8002\n',
  );
  t.true(existsSync(join(work, 'twice', 'node1', 'handler-ran')));
  t.true(existsSync(join(work, 'twice', 'node1', 'first')));
  t.false(existsSync(join(work, 'twice', 'node2', 'first')));

  const second = await runCli(['run', join(work, 'site.yml'), '-i', inv, '--output', 'json']);
  t.is(second.code, 0, second.stderr);
  for (const [host, line] of Object.entries(recapOf(second)))
    t.is(line.changed, 0, `${host} changed on the second run`);
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
  const inv = inventory(
    'unreach',
    `ghost ansible_host=127.0.0.1 ansible_port=1 ansible_user=root root=${join(work, 'unreach', 'ghost')} app_port=1\n`,
  );
  // The ghost refuses at once; the connect timeout only has to be long enough for the others on a busy machine.
  const r = await runCli(['run', join(work, 'site.yml'), '-i', inv, '--output', 'json', '--timeout', '60']);
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

/** PIDs of processes whose command line contains `needle` (this test's own remote commands run on this machine). */
function processesWith(needle: string): number[] {
  return readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .filter((e) => {
      try {
        return readFileSync(`/proc/${e}/cmdline`, 'utf8').includes(needle);
      } catch {
        return false;
      }
    })
    .map(Number);
}

it('a task past its `timeout` fails on that host (exit 2), its command is killed, the others go on', async (t) => {
  const inv = inventory('timeout');
  for (const n of [1, 2, 3]) mkdirSync(join(work, 'timeout', `node${n}`), { recursive: true });
  const playbook = join(work, 'timeout.yml');
  writeFileSync(
    playbook,
    `
- hosts: web
  tasks:
    - name: too slow
      shell: "sleep 30.4217; touch {{ root }}/finished"
      timeout: 1
      when: inventory_hostname == 'node2'
    - name: next
      copy: { dest: "{{ root }}/next", content: "next\\n" }
`,
  );
  const r = await runCli(['run', playbook, '-i', inv, '--output', 'json']);
  t.is(r.code, 2, r.stdout + r.stderr);
  const recap = recapOf(r);
  t.deepEqual([recap.node2!.failed, recap.node2!.unreachable], [1, 0], JSON.stringify(recap));
  for (const n of ['node1', 'node3']) t.deepEqual([recap[n]!.failed, recap[n]!.changed], [0, 1], JSON.stringify(recap));
  t.regex(r.stdout, /timed out after 1 ?s/);
  t.false(existsSync(join(work, 'timeout', 'node2', 'next')), 'a failed host leaves the run');
  await waitUntil(() => processesWith('30.4217').length === 0);
  t.deepEqual(processesWith('30.4217'), [], 'the timed-out command is still running on the host');
});

/** Runs `cmd` on this machine (the test sshd's node is this machine too) and returns its trimmed stdout. */
const here = (cmd: string): string => execFileSync('sh', ['-c', cmd], { encoding: 'utf8' }).trim();

it('become_user: nobody runs tasks, files and handlers as nobody over SSH (sudo and su) and locally', async (t) => {
  chmodSync(work, 0o755);
  const root = join(work, 'privilege');
  mkdirSync(root, { recursive: true });
  chownSync(root, 65534, 65534);
  const playbook = join(work, 'privilege.yml');
  writeFileSync(
    playbook,
    `- hosts: all
  become: yes
  become_user: nobody
  tasks:
    - shell: "id -un > {{ root }}/{{ inventory_hostname }}-sudo"
    - copy: { dest: "{{ root }}/{{ inventory_hostname }}-copy", content: "by nobody\\n" }
      notify: as nobody
    - shell: "id -un > {{ root }}/{{ inventory_hostname }}-su"
      become_method: su
    - shell: "id -un > {{ root }}/{{ inventory_hostname }}-root"
      become: false
  handlers:
    - name: as nobody
      shell: "id -un > {{ root }}/{{ inventory_hostname }}-handler"
`,
  );
  const s = servers[0]!;
  const vars = Object.entries(s.inventoryVars())
    .map(([k, v]) => `${k}='${v}'`)
    .join(' ');
  const inv = join(work, 'privilege.ini');
  writeFileSync(inv, `[all:vars]\nroot=${root}\n[nodes]\nnode1 ${vars}\nlocal ansible_connection=local\n`);
  const r = await runCli(['run', playbook, '-i', inv, '--output', 'json']);
  t.is(r.code, 0, r.stdout + r.stderr);
  for (const host of ['node1', 'local']) {
    for (const how of ['sudo', 'su', 'handler'])
      t.is(readFileSync(join(root, `${host}-${how}`), 'utf8'), 'nobody\n', `${host} ${how}`);
    t.is(readFileSync(join(root, `${host}-root`), 'utf8'), 'root\n', `${host}: become: false on the task`);
    t.is(statSync(join(root, `${host}-copy`)).uid, 65534, `${host}: the copied file belongs to nobody`);
  }
});

it('gather_facts: true gives the node facts in one probe; without it an ansible_* fact is undefined with a hint', async (t) => {
  const root = join(work, 'facts');
  mkdirSync(root, { recursive: true });
  const playbook = join(work, 'facts.yml');
  const line =
    '{{ ansible_hostname }}|{{ ansible_fqdn }}|{{ ansible_system }}|{{ ansible_architecture }}|{{ ansible_distribution }}|{{ ansible_distribution_version }}|{{ ansible_distribution_release }}|{{ ansible_os_family }}|{{ ansible_default_ipv4 | to_json }}';
  writeFileSync(
    playbook,
    `- hosts: all
  gather_facts: true
  tasks:
    - copy: { dest: "{{ facts_dir }}/{{ inventory_hostname }}", content: "${line}\\n" }
- hosts: all
  tasks:
    - debug: { msg: "{{ ansible_hostname }}" }
`,
  );
  const inv = inventory('facts', `[all:vars]\nfacts_dir=${root}\n`);
  const r = await runCli(['run', playbook, '-i', inv, '--output', 'json']);
  t.is(r.code, 0, r.stdout + r.stderr);
  const route = here('ip -4 route show default | head -n 1');
  const dev = /\bdev (\S+)/.exec(route)?.[1];
  const ipv4 = dev
    ? {
        address: here(`ip -4 -o addr show dev ${dev} | sed -n 's/.* inet \\([0-9.]*\\)\\/.*/\\1/p' | head -n 1`),
        interface: dev,
        gateway: /\bvia (\S+)/.exec(route)?.[1] ?? '',
      }
    : {};
  const os = Object.fromEntries(
    readFileSync('/etc/os-release', 'utf8')
      .split('\n')
      .map((l) => /^([A-Z_]+)=(.*)$/.exec(l))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [m[1], m[2]!.replace(/^"(.*)"$/, '$1')]),
  ) as Record<string, string>;
  const expected = [
    here('hostname').split('.')[0],
    here('hostname -f 2>/dev/null || hostname'),
    here('uname -s'),
    here('uname -m'),
    os.ID === 'debian' ? 'Debian' : os.ID === 'ubuntu' ? 'Ubuntu' : os.NAME,
    os.VERSION_ID,
    os.VERSION_CODENAME,
    os.ID === 'debian' || os.ID === 'ubuntu' ? 'Debian' : undefined,
    // to_json prints as Ansible (Python's json.dumps): ", " and ": " between items.
    `{${Object.entries(ipv4)
      .map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`)
      .join(', ')}}`,
  ].join('|');
  for (const n of ['node1', 'node2', 'node3']) t.is(readFileSync(join(root, n), 'utf8'), `${expected}\n`, n);
  const recap = recapOf(r);
  t.is(recap.node1!.ok, 3, 'gathering facts counts as ok, like in Ansible');
  // Facts stay with the host for the rest of the run (the second play's debug), as in Ansible; a run
  // without gathering has none: found at load (validate before touch), with a hint naming gather_facts.
  writeFileSync(join(work, 'no-facts.yml'), '- hosts: all\n  tasks:\n    - debug: { msg: "{{ ansible_hostname }}" }\n');
  const none = await runCli(['run', join(work, 'no-facts.yml'), '-i', inv, '--output', 'json']);
  t.is(none.code, 4, none.stdout + none.stderr);
  const diags = none.events.flatMap((e) => (e.type === 'diagnostics' ? e.diagnostics : []));
  t.is(diags[0]?.code, 'E_UNDEFINED_VAR', none.stdout);
  t.regex(`${diags[0]?.message} ${diags[0]?.hint}`, /"ansible_hostname" for 3 hosts[\s\S]*gather_facts: true/);
});
