// copy module: create, update, mode-only and owner-only changes, controller files, refusals.
import test from 'ava';
import { copy } from '../../modules/copy.js';
import { applyPlan, planOn } from '../helpers/host-view.js';
import { sandboxTest, Sandbox } from '../helpers/sandbox.js';
import { paramsCase, table } from './macro.js';

const motd = (content: string, mode = '0644', owner = 'root') => ({ files: { '/etc/motd': { content, mode, owner } } });

table(copy, [
  {
    title: 'an absent file is created with its mode',
    params: { dest: '/etc/motd', content: 'hi\n', mode: '0600' },
    steps: [{ title: 'create /etc/motd', before: null, after: 'hi\n', mode: '0600' }],
    after: (t, host) => t.like(host.lstat('/etc/motd'), { content: 'hi\n', mode: 0o600 }),
  },
  {
    title: 'same content and mode: nothing to do',
    params: { dest: '/etc/motd', content: 'hi\n', mode: '644' },
    host: motd('hi\n'),
    note: '/etc/motd is up to date',
  },
  {
    title: 'different content is written, keeping mode and owner',
    params: { dest: '/etc/motd', content: 'new\n' },
    host: motd('old\n', '0600', 'stackato'),
    steps: [
      { title: 'update /etc/motd', before: 'old\n', after: 'new\n', mode: '0600' },
      { title: 'keep owner stackato:root', cmd: 'chown stackato:root -- /etc/motd' },
    ],
    after: (t, host) => t.like(host.lstat('/etc/motd'), { content: 'new\n', mode: 0o600, owner: 'stackato' }),
  },
  {
    title: 'a write as another login user still leaves the owner as it was',
    params: { dest: '/etc/motd', content: 'new\n' },
    host: { ...motd('old\n'), user: 'deploy' },
    steps: ['update /etc/motd', 'keep owner root:root'],
    after: (t, host) => t.like(host.lstat('/etc/motd'), { owner: 'root', group: 'root' }),
  },
  {
    title: 'a mode-only change is a chmod',
    params: { dest: '/etc/motd', content: 'hi\n', mode: '0600' },
    host: motd('hi\n'),
    steps: [{ title: '~ mode: 0644 -> 0600', cmd: 'chmod 0600 -- /etc/motd' }],
  },
  {
    title: 'content and mode change in one write',
    params: { dest: '/etc/motd', content: 'new\n', mode: '0600' },
    host: motd('old\n'),
    steps: [{ title: 'update /etc/motd (mode 0644 -> 0600)', mode: '0600' }, 'keep owner root:root'],
  },
  {
    title: 'an owner-only change is a chown',
    params: { dest: '/etc/motd', content: 'hi\n', owner: 'stackato', group: 'stackato' },
    host: motd('hi\n'),
    steps: [
      { title: '~ owner: root -> stackato', cmd: 'chown stackato -- /etc/motd' },
      { title: '~ group: root -> stackato', cmd: 'chgrp stackato -- /etc/motd' },
    ],
  },
  {
    title: 'content and owner change: one chown after the write',
    params: { dest: '/etc/motd', content: 'new\n', owner: 'stackato' },
    host: motd('old\n'),
    steps: [
      'update /etc/motd',
      { title: '~ owner: root:root -> stackato:root', cmd: 'chown stackato:root -- /etc/motd' },
    ],
  },
  {
    title: 'a new file with an owner',
    params: { dest: '/etc/app.conf', content: 'x', owner: 'stackato' },
    steps: ['create /etc/app.conf', '~ owner: (new) -> stackato'],
  },
  {
    title: 'src is read from the controller',
    params: { dest: '/etc/motd', src: 'files/motd' },
    local: { 'files/motd': 'from the controller\n' },
    steps: [{ title: 'create /etc/motd', after: 'from the controller\n' }],
  },
  {
    title: 'a missing src fails the host',
    params: { dest: '/etc/motd', src: 'files/nope' },
    fail: /^cannot read src files\/nope on the controller: ENOENT/,
  },
  {
    title: 'secret content is marked so diffs are masked',
    params: { dest: '/etc/key', content: 's3cret', secret: true },
    steps: [{ title: 'create /etc/key', secret: true }],
  },
  {
    title: 'a folder at dest fails',
    params: { dest: '/etc', content: 'x' },
    fail: '/etc is a directory; dest must name the file itself',
  },
  {
    title: 'a symlink at dest fails, naming its target',
    params: { dest: '/etc/l', content: 'x' },
    host: { links: { '/etc/l': '/etc/real' } },
    fail: /symbolic link \(to \/etc\/real\)/,
  },
  {
    title: 'paths with spaces and quotes are quoted',
    params: { dest: "/srv/it's here.txt", content: 'x', mode: '0640' },
    host: { files: { "/srv/it's here.txt": { content: 'x', mode: '0644' } } },
    steps: [{ title: '~ mode: 0644 -> 0640', cmd: `chmod 0640 -- '/srv/it'\\''s here.txt'` }],
  },
]);

sandboxTest('copy: without the owner restore, a write by another login user would leave the wrong owner', async (t) => {
  const host = await Sandbox.open({ ...motd('old\n'), user: 'deploy' });
  t.teardown(() => host.close());
  const plan = await planOn(copy, host.transport, { dest: '/etc/motd', content: 'new\n' });
  await applyPlan(host.transport, { steps: plan.steps.filter((s) => s.kind === 'write') });
  t.like(host.lstat('/etc/motd'), { owner: 'deploy' });
});

test(paramsCase, copy, { dest: '/etc/x', content: '' }, true);
test(paramsCase, copy, { dest: '/etc/x', content: 'x', mode: 644 }, /mode must be a quoted string such as "0644"/);
test(paramsCase, copy, { dest: '/etc/x', content: 'x', mode: '0999' }, /octal digits/);
test(paramsCase, copy, { dest: 'etc/x', content: 'x' }, /dest must be an absolute path/);
test(paramsCase, copy, { dest: '/etc/x' }, /exactly one of content or src/);
test(paramsCase, copy, { dest: '/etc/x', content: 'x', src: 'y' }, /exactly one of content or src/);
test(paramsCase, copy, { dest: '/etc/x', content: 'x', owner: 'a b' }, /owner must be a user or group name/);
