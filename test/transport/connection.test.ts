// connectionOf: inventory vars, stackplay_ prefixes, ssh args and an OpenSSH config file, as tables.
import test from 'ava';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Secret } from '../../src/command.js';
import { InputError } from '../../src/errors.js';
import {
  connectionOf,
  expandProxyCommand,
  jumpHostOf,
  type ConnectionDefaults,
  type HostConnection,
} from '../../src/transport/connection.js';
import { parseSshArgs, splitWords } from '../../src/transport/ssh-settings.js';

const dir = mkdtempSync(join(tmpdir(), 'stackplay-conn-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

// Key files named by vars must exist (a missing one is refused at load): the home folder is a temp one.
const home = join(dir, 'home');
mkdirSync(join(home, '.ssh'), { recursive: true });
writeFileSync(join(home, '.ssh', 'lab'), 'key');
writeFileSync(join(dir, 'mine'), 'key');
const noConfig: ConnectionDefaults = { sshConfigFile: null, user: 'me', home };
const of = (vars: Record<string, unknown>, name = 'node1', d: ConnectionDefaults = noConfig) =>
  connectionOf({ name, groups: [], vars }, d);

const cases: { title: string; name?: string; vars: Record<string, unknown>; want: Partial<HostConnection> }[] = [
  {
    title: 'defaults: host name, port 22, current user, ssh',
    vars: {},
    want: { kind: 'ssh', address: 'node1', port: 22, user: 'me', keyFiles: [], become: {} },
  },
  {
    title: 'ansible_host/port/user/key',
    vars: {
      ansible_host: '10.0.0.5',
      ansible_port: '2222',
      ansible_user: 'stackato',
      ansible_ssh_private_key_file: '~/.ssh/lab',
    },
    want: { address: '10.0.0.5', port: 2222, user: 'stackato', keyFiles: [join(home, '.ssh', 'lab')] },
  },
  { title: 'numbers are fine for ansible_port', vars: { ansible_port: 2200 }, want: { port: 2200 } },
  {
    title: 'stackplay_ prefix wins over ansible_',
    vars: {
      ansible_host: 'a',
      stackplay_host: 'b',
      ansible_user: 'u1',
      stackplay_user: 'u2',
      ansible_port: 1,
      stackplay_port: 2,
    },
    want: { address: 'b', user: 'u2', port: 2 },
  },
  {
    title: 'old ansible_ssh_* aliases',
    vars: { ansible_ssh_host: 'h', ansible_ssh_port: '23', ansible_ssh_user: 'u' },
    want: { address: 'h', port: 23, user: 'u' },
  },
  {
    title: 'become vars',
    vars: { ansible_become: 'yes', ansible_become_user: 'stackato', ansible_become_method: 'su' },
    want: { become: { enabled: true, user: 'stackato', method: 'su' } },
  },
  { title: 'become false as a string', vars: { ansible_become: 'False' }, want: { become: { enabled: false } } },
  { title: 'become 1 (Ansible truthiness)', vars: { ansible_become: 1 }, want: { become: { enabled: true } } },
  { title: 'become "on"', vars: { stackplay_become: 'on' }, want: { become: { enabled: true } } },
  {
    title: 'localhost with nothing else is local',
    name: 'localhost',
    vars: {},
    want: { kind: 'local', address: 'localhost' },
  },
  { title: '127.0.0.1 as ansible_host is local', vars: { ansible_host: '127.0.0.1' }, want: { kind: 'local' } },
  {
    title: 'localhost with a port is ssh',
    name: 'localhost',
    vars: { ansible_port: '2222' },
    want: { kind: 'ssh', port: 2222 },
  },
  {
    title: 'localhost with a user is ssh',
    vars: { ansible_host: '127.0.0.1', ansible_user: 'x' },
    want: { kind: 'ssh' },
  },
  {
    title: 'ansible_connection=local wins',
    vars: { ansible_host: '10.0.0.1', ansible_connection: 'local' },
    want: { kind: 'local' },
  },
  {
    title: 'ansible_connection=ssh on localhost',
    name: 'localhost',
    vars: { ansible_connection: 'ssh' },
    want: { kind: 'ssh' },
  },
  {
    title: 'ProxyCommand in common args (double quotes)',
    vars: { ansible_ssh_common_args: '-o ProxyCommand="ssh -W %h:%p -q bastion"' },
    want: { proxyCommand: 'ssh -W %h:%p -q bastion' },
  },
  {
    title: 'ProxyCommand with single quotes and -oKey form',
    vars: { ansible_ssh_common_args: "-oProxyCommand='ip netns exec n1 socat - TCP:%h:%p'" },
    want: { proxyCommand: 'ip netns exec n1 socat - TCP:%h:%p' },
  },
  {
    title: 'ProxyCommand as "-o Key Value" (space)',
    vars: { ansible_ssh_common_args: "-o 'ProxyCommand nc %h %p'" },
    want: { proxyCommand: 'nc %h %p' },
  },
  {
    title: 'ProxyJump with -o',
    vars: { ansible_ssh_common_args: '-o ProxyJump=jump@bastion:2200' },
    want: { proxyJump: 'jump@bastion:2200' },
  },
  {
    title: 'ProxyJump with -J',
    vars: { ansible_ssh_common_args: '-J bastion1,bastion2' },
    want: { proxyJump: 'bastion1,bastion2' },
  },
  { title: 'ProxyJump with -Jhost', vars: { ansible_ssh_common_args: '-Jbastion' }, want: { proxyJump: 'bastion' } },
  {
    title: 'StrictHostKeyChecking=no means off',
    vars: { ansible_ssh_common_args: '-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null' },
    want: { hostKeyChecking: 'off', knownHostsFiles: ['/dev/null'] },
  },
  {
    title: 'StrictHostKeyChecking=accept-new',
    vars: { ansible_ssh_extra_args: '-o StrictHostKeyChecking=accept-new' },
    want: { hostKeyChecking: 'accept-new' },
  },
  {
    title: 'StrictHostKeyChecking=yes is strict',
    vars: { ansible_ssh_common_args: '-o StrictHostKeyChecking=yes' },
    want: { hostKeyChecking: 'strict' },
  },
  {
    title: 'UserKnownHostsFile with ~ and two files',
    vars: { ansible_ssh_common_args: '-o "UserKnownHostsFile=~/a /etc/b"' },
    want: { knownHostsFiles: [join(home, 'a'), '/etc/b'] },
  },
  {
    title: 'common args win over extra args (first value wins, as in ssh)',
    vars: { ansible_ssh_common_args: '-o ProxyJump=one', ansible_ssh_extra_args: '-o ProxyJump=two' },
    want: { proxyJump: 'one' },
  },
  {
    title: 'ansible_port wins over -p in args',
    vars: { ansible_port: '2201', ansible_ssh_common_args: '-p 2202 -l bob' },
    want: { port: 2201, user: 'bob' },
  },
  {
    title: 'stackplay_ssh_common_args wins',
    vars: { ansible_ssh_common_args: '-J a', stackplay_ssh_common_args: '-J b' },
    want: { proxyJump: 'b' },
  },
  {
    title: 'ProxyCommand=none means none',
    vars: { ansible_ssh_common_args: '-o ProxyCommand=none' },
    want: { proxyCommand: undefined },
  },
  {
    title: 'timeouts and keepalive from args',
    vars: { ansible_ssh_common_args: '-o ConnectTimeout=7 -o ServerAliveInterval=4 -o ServerAliveCountMax=2' },
    want: { connectTimeoutSec: 7, keepaliveSec: 4, keepaliveCountMax: 2 },
  },
  {
    title: 'ServerAliveInterval=0 turns keepalive off (kept as 0, not the default)',
    vars: { ansible_ssh_common_args: '-o ServerAliveInterval=0' },
    want: { keepaliveSec: 0 },
  },
  {
    title: 'unknown ssh options are ignored',
    vars: { ansible_ssh_common_args: '-o ControlMaster=auto -o ControlPersist=60s -C' },
    want: { proxyCommand: undefined, port: 22 },
  },
];

for (const c of cases) {
  test(`connectionOf: ${c.title}`, (t) => {
    const conn = of(c.vars, c.name);
    for (const [k, v] of Object.entries(c.want)) t.deepEqual(conn[k as keyof HostConnection], v, k);
  });
}

test('connectionOf: passwords become Secrets and never print', (t) => {
  const conn = of({ ansible_password: 'hunter2', ansible_become_password: new Secret('s3cret') });
  t.is(conn.password?.reveal(), 'hunter2');
  t.is(conn.become.password?.reveal(), 's3cret');
  t.false(JSON.stringify(conn).includes('hunter2'));
  t.false(`${conn.password}`.includes('hunter2'));
});

const badCases: { title: string; name?: string; vars: Record<string, unknown>; match: RegExp }[] = [
  {
    title: 'port that is not a number',
    vars: { ansible_port: 'ssh' },
    match: /node1: ansible_port must be a port number.*"ssh"/,
  },
  { title: 'port out of range', vars: { stackplay_port: '70000' }, match: /stackplay_port must be a port number/ },
  {
    title: 'become that is not a boolean',
    vars: { ansible_become: 'maybe' },
    match: /ansible_become must be true or false/,
  },
  {
    title: 'unknown connection',
    vars: { ansible_connection: 'winrm' },
    match: /ansible_connection "winrm" is not supported/,
  },
  {
    title: 'unterminated quote in common args',
    vars: { ansible_ssh_common_args: '-o ProxyCommand="ssh -W' },
    match: /ansible_ssh_common_args: unterminated " quote/,
  },
  { title: '-o without a value', vars: { ansible_ssh_common_args: '-o' }, match: /-o needs a value/ },
  {
    title: 'bad StrictHostKeyChecking',
    vars: { ansible_ssh_common_args: '-o StrictHostKeyChecking=sometimes' },
    match: /StrictHostKeyChecking must be/,
  },
  {
    title: 'a host with a shell command',
    vars: { ansible_host: 'x;touch /tmp/p' },
    match: /";", a shell metacharacter/,
  },
  { title: 'a host starting with -', vars: { ansible_host: '-oProxyCommand=x' }, match: /starts with "-"/ },
  { title: 'a host with a space', vars: { ansible_host: 'a b' }, match: /white space/ },
  { title: 'a host with $(...)', vars: { ansible_host: '$(id)' }, match: /"\$"/ },
  { title: 'an inventory name with a backquote', name: 'x`id`', vars: {}, match: /the inventory name/ },
  { title: 'a user with a shell command', vars: { ansible_user: 'root;id' }, match: /ansible_user .* ";"/ },
  { title: 'a user starting with -', vars: { ansible_user: '-l' }, match: /starts with "-"/ },
  { title: 'a user ending with a backslash', vars: { ansible_user: 'a\\' }, match: /ends with/ },
  { title: 'a become user with a pipe', vars: { ansible_become_user: 'a|b' }, match: /ansible_become_user/ },
  { title: 'an unknown become method', vars: { ansible_become_method: 'doas' }, match: /"doas" is not supported/ },
  {
    title: 'su with a password',
    vars: { ansible_become_method: 'su', ansible_become_password: 'x' },
    match: /su reads a password only from a terminal/,
  },
  { title: 'a missing key file', vars: { ansible_ssh_private_key_file: '/nonexistent/key' }, match: /no key file/ },
  {
    title: 'a ProxyJump hop with a shell command',
    vars: { ansible_ssh_common_args: '-J "a;b"' },
    match: /ProxyJump "a;b" is not a valid host name/,
  },
];

for (const c of badCases) {
  test(`connectionOf refuses: ${c.title}`, (t) => {
    const e = t.throws(() => of(c.vars, c.name), { instanceOf: InputError });
    t.is(e?.diagnostics[0]?.code, 'E_CONNECTION_VAR');
    t.regex(e?.message ?? '', c.match);
  });
}

test('splitWords follows shell quoting', (t) => {
  t.deepEqual(splitWords(`-o ProxyCommand="ssh -W \\"%h\\":%p" -J 'a b' c\\ d`), [
    '-o',
    'ProxyCommand=ssh -W "%h":%p',
    '-J',
    'a b',
    'c d',
  ]);
  t.deepEqual(splitWords('  '), []);
  t.deepEqual(splitWords(`''`), ['']);
});

test('parseSshArgs reports -F', (t) => {
  t.is(parseSshArgs('-F /etc/x -o User=a').configFile, '/etc/x');
  t.is(parseSshArgs('-F /etc/x -o User=a').settings.values.user, 'a');
});

test('expandProxyCommand fills %h %p %r %n and %%', (t) => {
  const conn = of({ ansible_host: '10.77.0.11', ansible_port: '2222', ansible_user: 'root' }, 'core');
  t.is(
    expandProxyCommand(conn, 'ip netns exec %n socat - TCP:%h:%p # %r 100%% %x'),
    'ip netns exec core socat - TCP:10.77.0.11:2222 # root 100% %x',
  );
});

test('jumpHostOf reads [user@]host[:port] and ssh:// forms', (t) => {
  t.deepEqual(jumpHostOf('bastion'), { name: 'bastion', groups: [], vars: { ansible_connection: 'ssh' } });
  t.deepEqual(jumpHostOf('ops@10.0.0.1:2200').vars, {
    ansible_connection: 'ssh',
    ansible_user: 'ops',
    ansible_port: '2200',
  });
  t.is(jumpHostOf('ssh://[::1]:22').name, '::1');
  t.throws(() => jumpHostOf('a@'), { instanceOf: InputError });
});

const configText = `
# global options come first and apply to all hosts
ConnectTimeout 9

Host web? !web9
  HostName %h.lab.example
  User deploy
  Port 2200
  IdentityFile ~/.ssh/web_key

Host web*
  User ignored-because-first-wins
  IdentityFile %d/.ssh/second_key

Host core
  HostName 10.77.0.11
  ProxyCommand ip netns exec core socat - TCP:%h:%p

Host "dea *.dea"
  ProxyJump ops@bastion:2222

Match exec "false"
  User never

Host bastion
  User ops
  IdentityFile /keys/bastion

Host *
  User fallback
  StrictHostKeyChecking accept-new
`;

const configFile = join(dir, 'ssh_config');
writeFileSync(configFile, configText);
const withConfig: ConnectionDefaults = { ...noConfig, sshConfigFile: configFile };

const configCases: { title: string; name: string; vars?: Record<string, unknown>; want: Partial<HostConnection> }[] = [
  {
    title: 'Host pattern with ?, HostName %h, User, Port, IdentityFiles accumulate',
    name: 'web1',
    want: {
      address: 'web1.lab.example',
      user: 'deploy',
      port: 2200,
      keyFiles: [join(home, '.ssh', 'web_key'), join(home, '.ssh', 'second_key')],
      connectTimeoutSec: 9,
      hostKeyChecking: 'accept-new',
    },
  },
  {
    title: 'negated pattern skips the block',
    name: 'web9',
    want: { address: 'web9', user: 'ignored-because-first-wins', port: 22 },
  },
  {
    title: 'ProxyCommand from config',
    name: 'core',
    want: { address: '10.77.0.11', proxyCommand: 'ip netns exec core socat - TCP:%h:%p', user: 'fallback' },
  },
  { title: 'quoted pattern list, ProxyJump from config', name: 'x.dea', want: { proxyJump: 'ops@bastion:2222' } },
  { title: 'Match blocks other than "Match all" never apply', name: 'other', want: { user: 'fallback' } },
  {
    title: 'config is looked up by ansible_host, vars still win',
    name: 'node7',
    vars: { ansible_host: 'web2', ansible_user: 'root' },
    want: { address: 'web2.lab.example', user: 'root', port: 2200 },
  },
  {
    title: 'inventory key file comes before config IdentityFiles',
    name: 'bastion',
    vars: { ansible_ssh_private_key_file: join(dir, 'mine') },
    want: { keyFiles: [join(dir, 'mine'), '/keys/bastion'], user: 'ops' },
  },
  {
    title: 'args win over config',
    name: 'core',
    vars: { ansible_ssh_common_args: '-o ProxyCommand="nc %h %p"' },
    want: { proxyCommand: 'nc %h %p' },
  },
];

for (const c of configCases) {
  test(`ssh config: ${c.title}`, (t) => {
    const conn = of(c.vars ?? {}, c.name, withConfig);
    for (const [k, v] of Object.entries(c.want)) t.deepEqual(conn[k as keyof HostConnection], v, k);
  });
}

test('ssh config path comes from STACKPLAY_SSH_CONFIG when not given', (t) => {
  const conn = of({}, 'core', { user: 'me', home: '/nonexistent-home', env: { STACKPLAY_SSH_CONFIG: configFile } });
  t.is(conn.address, '10.77.0.11');
});

test('ssh config named by -F in args is used', (t) => {
  const conn = of({ ansible_ssh_common_args: `-F ${configFile}` }, 'web3', {
    user: 'me',
    home: '/home/me',
    sshConfigFile: null,
  });
  t.is(conn.address, 'web3.lab.example');
});

test('a missing ssh config file is no config', (t) => {
  t.is(of({}, 'core', { ...noConfig, sshConfigFile: join(dir, 'nope') }).address, 'core');
});

test('a malformed ssh config line is an InputError with file:line', (t) => {
  const bad = join(dir, 'bad_config');
  writeFileSync(bad, 'Host a\n  User x\n  =oops\n');
  const e = t.throws(() => of({}, 'a', { ...noConfig, sshConfigFile: bad }), { instanceOf: InputError });
  t.is(e?.diagnostics[0]?.code, 'E_SSH_CONFIG');
  t.deepEqual(e?.diagnostics[0]?.at, { file: bad, line: 3, col: 1 });
});
