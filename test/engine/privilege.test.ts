// src/privilege.ts: Ansible's truthiness and the one become decision (vars beat task keywords beat play keywords).
import test from 'ava';
import { kato, readOnly, Secret, sh, wrapBecome } from '../../src/command.js';
import { privilegeFor, suNeedsPassword, truthOf } from '../../src/privilege.js';
import { systemFacts } from '../../modules/facts/system.js';

test('truthOf reads Ansible booleans in any case and refuses anything else', (t) => {
  for (const v of [true, 1, 'yes', 'Yes', 'y', 'on', 'true', 'True', 't', '1']) t.is(truthOf(v), true, String(v));
  for (const v of [false, 0, 'no', 'NO', 'n', 'off', 'false', 'f', '0']) t.is(truthOf(v), false, String(v));
  for (const v of ['maybe', 2, '', null, undefined, {}]) t.is(truthOf(v), undefined, String(v));
});

test('privilegeFor: no become by default; become alone is sudo to root', (t) => {
  t.is(privilegeFor(undefined), undefined);
  t.is(privilegeFor({}, { become: false }, { become: true }), undefined, 'the task keyword beats the play keyword');
  t.deepEqual(privilegeFor({}, undefined, { become: true }), { user: 'root', method: 'sudo' });
});

test('privilegeFor: task keywords beat play keywords, host vars beat both', (t) => {
  const play = { become: true, becomeUser: 'stackato', becomeMethod: 'sudo' as const };
  t.deepEqual(privilegeFor({}, { becomeUser: 'nobody' }, play), { user: 'nobody', method: 'sudo' });
  t.deepEqual(privilegeFor({}, { becomeMethod: 'su' }, play), { user: 'stackato', method: 'su' });
  t.deepEqual(privilegeFor({ enabled: true, user: 'www-data' }, { become: false, becomeUser: 'nobody' }, play), {
    user: 'www-data',
    method: 'sudo',
  });
  t.is(privilegeFor({ enabled: false }, { become: true }), undefined, 'ansible_become=false wins over a task');
  const password = new Secret('pw');
  t.is(privilegeFor({ password }, { become: true })?.password, password, 'the password comes from the host vars');
});

test('system facts parse: os-release, a default route, and none', (t) => {
  const out = (stdout: string) => ({ code: 0, stdout, stderr: '' });
  const ubuntu = systemFacts.parse(
    out(
      'hostname=node1.lab\nfqdn=node1.lab.example\nsystem=Linux\narchitecture=aarch64\nos_NAME="Ubuntu"\nos_ID=ubuntu\nos_ID_LIKE=debian\nos_VERSION_ID="22.04"\nos_VERSION_CODENAME=jammy\ngateway=10.0.0.1\ninterface=eth0\naddress=10.0.0.5\n',
    ),
  );
  t.like(ubuntu, {
    ansible_hostname: 'node1',
    ansible_fqdn: 'node1.lab.example',
    ansible_distribution: 'Ubuntu',
    ansible_distribution_version: '22.04',
    ansible_distribution_release: 'jammy',
    ansible_os_family: 'Debian',
    ansible_architecture: 'aarch64',
    ansible_default_ipv4: { address: '10.0.0.5', interface: 'eth0', gateway: '10.0.0.1' },
  });
  const bare = systemFacts.parse(out('hostname=x\nfqdn=x\nsystem=Linux\narchitecture=x86_64\ngateway=\ninterface=\n'));
  t.deepEqual(bare.ansible_default_ipv4, {});
  t.is(bare.ansible_distribution, 'NA');
  t.throws(() => systemFacts.parse({ code: 127, stdout: '', stderr: 'sh: not found' }), {
    message: /facts probe failed/,
  });
});

test('su needs its password only from a login that is neither root nor the target, however su was chosen', (t) => {
  const password = new Secret('pw');
  const su = (...k: Parameters<typeof privilegeFor>) => privilegeFor(...k);
  t.true(suNeedsPassword(su({ password }, { become: true, becomeMethod: 'su' }), 'deploy'));
  t.true(suNeedsPassword(su({ password }, undefined, { become: true, becomeMethod: 'su' }), 'deploy'), 'from the play');
  t.true(suNeedsPassword(su({ password, enabled: true }, { becomeMethod: 'su' }), 'deploy'));
  t.false(suNeedsPassword(su({ password }, { become: true, becomeMethod: 'su' }), 'root'), 'su asks root nothing');
  t.false(
    suNeedsPassword(su({ password }, { become: true, becomeMethod: 'su', becomeUser: 'app' }), 'app'),
    'already the target: no become at all',
  );
  t.false(suNeedsPassword(su({ password }, { become: false, becomeMethod: 'su' }), 'deploy'));
  t.false(suNeedsPassword(su({}, { become: true, becomeMethod: 'su' }), 'deploy'), 'no password to answer with');
  t.false(suNeedsPassword(su({ password, method: 'sudo' }, { become: true, becomeMethod: 'su' }), 'deploy'));
});

test('a kato command is not wrapped in sudo: it runs as the login user and gets the become password after its input', (t) => {
  const b = { user: 'root', method: 'sudo' as const, password: new Secret('pw-123') };
  const rename = kato`kato node rename ${'a.b'} --no-restart`;
  const w = wrapBecome(rename, b);
  t.is(w.text, 'kato node rename a.b --no-restart', 'kato never runs as root (kato.md section 2)');
  t.is(w.stdinSuffix, 'pw-123\n', 'the answer to kato asking for the sudo password');
  t.is(w.stdinPrefix, undefined);
  t.false(w.display.includes('pw-123'));
  t.deepEqual(wrapBecome(readOnly(kato`kato info --json`), b), {
    text: 'kato info --json',
    display: 'kato info --json',
  });
  t.deepEqual(wrapBecome(rename, { user: 'root', method: 'sudo' }), {
    text: rename.text,
    display: rename.display,
  });
  t.regex(wrapBecome(sh`mkdir /mnt/x`, b).text, /^sudo -S/, 'other commands are still wrapped');
});
