// file module: directory, absent, touch, file, link; modes and owners; refusals.
import { file } from '../../modules/file.js';
import test from 'ava';
import { paramsCase, table } from './macro.js';

table(file, [
  {
    title: 'a missing directory is created with its parents',
    params: { path: '/srv/app/data', state: 'directory' },
    steps: [{ title: '~ /srv/app/data: absent -> directory', cmd: 'mkdir -p -- /srv/app/data' }],
  },
  {
    title: 'a new directory gets its mode in the same step',
    params: { path: '/srv/app', state: 'directory', mode: '0700' },
    steps: [{ title: '~ /srv/app: absent -> directory', cmd: 'mkdir -p -m 0700 -- /srv/app' }],
    after: (t, host) => t.like(host.lstat('/srv/app'), { type: 'directory', mode: 0o700 }),
  },
  {
    title: 'a new directory with owner and group',
    params: { path: '/srv/app', state: 'directory', owner: 'stackato', group: 'stackato' },
    steps: ['~ /srv/app: absent -> directory', '~ owner: (new) -> stackato', '~ group: (new) -> stackato'],
  },
  {
    title: 'an existing directory with the wrong mode',
    params: { path: '/srv', state: 'directory', mode: '0750' },
    steps: [{ title: '~ mode: 0755 -> 0750', cmd: 'chmod 0750 -- /srv' }],
  },
  {
    title: 'an existing directory as wanted',
    params: { path: '/srv', state: 'directory', mode: '0755' },
    note: '/srv is already a directory as wanted',
  },
  {
    title: 'a file where a directory is wanted fails',
    params: { path: '/etc/motd', state: 'directory' },
    host: { files: { '/etc/motd': 'x' } },
    fail: '/etc/motd is a file, not a directory',
  },
  {
    title: 'quoting of odd paths',
    params: { path: "/srv/it's here", state: 'directory' },
    steps: [{ title: "~ /srv/it's here: absent -> directory", cmd: `mkdir -p -- '/srv/it'\\''s here'` }],
  },
  {
    title: 'absent removes a file',
    params: { path: '/etc/motd', state: 'absent' },
    host: { files: { '/etc/motd': 'x' } },
    steps: [{ title: '~ /etc/motd: file -> absent', cmd: 'rm -rf -- /etc/motd' }],
  },
  {
    title: 'absent removes a folder and its content',
    params: { path: '/srv/old', state: 'absent' },
    host: { files: { '/srv/old/a/b': 'x' }, links: { '/srv/old/l': '/etc' } },
    steps: ['~ /srv/old: directory -> absent'],
    after: (t, host) =>
      t.deepEqual(
        Object.keys(host.snapshot()).filter((p) => p.startsWith('/srv/old')),
        [],
      ),
  },
  {
    title: 'absent removes a symlink, not its target',
    params: { path: '/etc/l', state: 'absent' },
    host: { files: { '/etc/t': 'x' }, links: { '/etc/l': '/etc/t' } },
    steps: ['~ /etc/l: link to /etc/t -> absent'],
    after: (t, host) => t.is(host.file('/etc/t'), 'x'),
  },
  {
    title: 'absent when already absent',
    params: { path: '/etc/nope', state: 'absent' },
    note: '/etc/nope is already absent',
  },
  {
    title: 'touch creates an empty file, then sets its mode',
    params: { path: '/tmp/t', state: 'touch', mode: '0600' },
    steps: [{ title: '~ /tmp/t: absent -> file', cmd: 'touch -- /tmp/t' }, '~ mode: (new) -> 0600'],
    after: (t, host) => t.like(host.lstat('/tmp/t'), { content: '', mode: 0o600 }),
  },
  {
    title: 'touch leaves an existing file alone',
    params: { path: '/tmp/t', state: 'touch' },
    host: { files: { '/tmp/t': 'data' } },
    note: '/tmp/t is already a file as wanted',
  },
  {
    title: 'state file: a mode change on an existing file',
    params: { path: '/etc/motd', mode: '0600' },
    host: { files: { '/etc/motd': 'x' } },
    steps: ['~ mode: 0644 -> 0600'],
  },
  {
    title: 'state file: a missing file fails with a hint',
    params: { path: '/etc/nope', state: 'file' },
    fail: /does not exist; use state: touch/,
  },
  {
    title: 'a link is created',
    params: { path: '/var/vcap/shared', state: 'link', src: '/mnt/controller' },
    host: { dirs: ['/var/vcap', '/mnt/controller'] },
    steps: [
      {
        title: '~ /var/vcap/shared: absent -> link to /mnt/controller',
        cmd: 'ln -s -- /mnt/controller /var/vcap/shared',
      },
    ],
    after: (t, host) => t.like(host.lstat('/var/vcap/shared'), { type: 'link', target: '/mnt/controller' }),
  },
  {
    title: 'a dangling link is fine',
    params: { path: '/etc/l', state: 'link', src: 'nowhere' },
    steps: ['~ /etc/l: absent -> link to nowhere'],
  },
  {
    title: 'a link is re-pointed',
    params: { path: '/etc/l', state: 'link', src: '/srv' },
    host: { links: { '/etc/l': '/opt' } },
    steps: [{ title: '~ /etc/l: link to /opt -> link to /srv', cmd: 'ln -sfn -- /srv /etc/l' }],
  },
  {
    title: 'a link as wanted',
    params: { path: '/etc/l', state: 'link', src: '/opt' },
    host: { links: { '/etc/l': '/opt' } },
    note: '/etc/l already links to /opt',
  },
  {
    title: 'a file is not replaced by a link without force',
    params: { path: '/etc/motd', state: 'link', src: '/srv/motd' },
    host: { files: { '/etc/motd': 'x' } },
    fail: /is a file; set force: true/,
  },
  {
    title: 'with force a file is replaced by a link',
    params: { path: '/etc/motd', state: 'link', src: '/srv/motd', force: true },
    host: { files: { '/etc/motd': 'x' } },
    steps: ['~ /etc/motd: file -> link to /srv/motd'],
  },
  {
    title: 'a folder is never replaced by a link',
    params: { path: '/srv', state: 'link', src: '/opt', force: true },
    fail: /is a directory; remove it first/,
  },
]);

test(paramsCase, file, { path: '/x', state: 'link' }, /state: link needs src/);
test(paramsCase, file, { path: '/x', state: 'directory', src: '/y' }, /src is only for state: link/);
test(paramsCase, file, { path: '/x', state: 'absent', mode: '0644' }, /mode cannot be set with state: absent/);
test(paramsCase, file, { path: '/x', state: 'link', src: '/y', owner: 'a' }, /owner cannot be set with state: link/);
test(paramsCase, file, { path: '/x', state: 'dir' }, /Invalid option/);
test(paramsCase, file, { path: '/x', mode: '0o644' }, /octal digits/);
