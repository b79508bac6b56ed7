// template module: rendering with host vars, then the same write rules as copy.
import { template } from '../../modules/template.js';
import test from 'ava';
import { paramsCase, table } from './macro.js';

// Block helpers alone on their line leave no blank line behind.
const local = {
  'upstream.hbs': 'upstream routers {\n{{#each routers}}\n  server {{this}}:80;\n{{/each}}\n}\n# {{owner}}\n',
};
const vars = { routers: ['10.0.0.2', '10.0.0.3'], owner: 'ops & co' };
const rendered = 'upstream routers {\n  server 10.0.0.2:80;\n  server 10.0.0.3:80;\n}\n# ops & co\n';

table(template, [
  {
    title: 'renders with the host vars, unescaped',
    params: { src: 'upstream.hbs', dest: '/etc/up.conf', mode: '0640' },
    local,
    vars,
    steps: [{ title: 'create /etc/up.conf', after: rendered, mode: '0640' }],
  },
  {
    title: 'up to date when the rendering matches',
    params: { src: 'upstream.hbs', dest: '/etc/up.conf' },
    local,
    vars,
    host: { files: { '/etc/up.conf': rendered } },
    note: '/etc/up.conf is up to date',
  },
  {
    title: 'a changed variable updates the file',
    params: { src: 'upstream.hbs', dest: '/etc/up.conf' },
    local,
    vars: { ...vars, routers: ['10.0.0.2'] },
    host: { files: { '/etc/up.conf': rendered } },
    steps: [
      {
        title: 'update /etc/up.conf',
        before: rendered,
        after: 'upstream routers {\n  server 10.0.0.2:80;\n}\n# ops & co\n',
      },
      'keep owner root:root',
    ],
  },
  {
    title: 'a mode-only change is a chmod',
    params: { src: 'upstream.hbs', dest: '/etc/up.conf', mode: '0600' },
    local,
    vars,
    host: { files: { '/etc/up.conf': rendered } },
    steps: ['~ mode: 0644 -> 0600'],
  },
  {
    title: 'an undefined variable fails, naming the template',
    params: { src: 'upstream.hbs', dest: '/etc/up.conf' },
    local,
    vars: { routers: [] },
    fail: /^template upstream\.hbs: undefined variable "owner"/,
  },
  {
    title: 'a missing template fails',
    params: { src: 'nope.hbs', dest: '/etc/up.conf' },
    local,
    fail: /^cannot read template nope\.hbs on the controller/,
  },
]);

test(paramsCase, template, { src: 'a.hbs', dest: '/etc/a' }, true);
test(paramsCase, template, { src: 'a.hbs', dest: '/etc/a', content: 'x' }, /Unrecognized key: "content"/);
