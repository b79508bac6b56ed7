// Var precedence (all < parents < children by depth, then name < host), groups with ancestors, magic vars.
import test from 'ava';
import { groupHosts, resolveHost } from '../../src/inventory/resolve.js';
import { loadText } from './helpers.js';

const INV = `
[all:vars]
v_all=all
v_parent=all
v_child=all
v_host=all

[cluster:children]
web
db

[cluster:vars]
v_parent=cluster
v_child=cluster
v_host=cluster

[web]
web1 v_host=host
both

[web:vars]
v_child=web
v_host=web
same=web

[db]
both
db1

[db:vars]
same=db

[edge:children]
canary

[canary]
web1

[canary:vars]
v_child=canary
`;

test('precedence: all < parent < child (deeper wins) < host vars', (t) => {
  const { inventory, diagnostics } = loadText(INV);
  t.deepEqual(diagnostics, []);
  const web1 = resolveHost(inventory, 'web1');
  t.like(web1.vars, { v_all: 'all', v_parent: 'cluster', v_child: 'web', v_host: 'host' });
});

test('same depth: alphabetical, so the later name wins', (t) => {
  const { inventory } = loadText(INV);
  // both is in db and web (both depth 2): web sorts after db and wins.
  t.is(resolveHost(inventory, 'both').vars.same, 'web');
});

test('web and canary are both depth 2; canary sorts first, so web wins v_child', (t) => {
  const { inventory } = loadText(INV);
  t.deepEqual(resolveHost(inventory, 'web1').groups, ['all', 'cluster', 'edge', 'canary', 'web']);
  t.is(resolveHost(inventory, 'web1').vars.v_child, 'web');
});

test('ansible_group_priority reorders groups of the same depth', (t) => {
  const { inventory } = loadText('[a]\nh\n[b]\nh\n[a:vars]\nx=a\nansible_group_priority=5\n[b:vars]\nx=b\n');
  t.is(resolveHost(inventory, 'h').vars.x, 'a');
  t.deepEqual(resolveHost(inventory, 'h').groups, ['all', 'b', 'a']);
});

test('depth is the longest path from all', (t) => {
  // deep is reached as top > mid > deep and directly as top > deep; it counts as depth 3, deeper than mid.
  const { inventory } = loadText(
    '[top:children]\nmid\ndeep\n[mid:children]\ndeep\n[deep]\nh\n[mid:vars]\nx=mid\n[deep:vars]\nx=deep\n',
  );
  t.deepEqual(resolveHost(inventory, 'h').groups, ['all', 'top', 'mid', 'deep']);
  t.is(resolveHost(inventory, 'h').vars.x, 'deep');
});

test('magic vars: inventory_hostname(_short), group_names, groups', (t) => {
  const { inventory } = loadText('lone.example.com\n[web]\nweb1.example.com\n[app:children]\nweb\n');
  const web = resolveHost(inventory, 'web1.example.com').vars;
  t.is(web.inventory_hostname, 'web1.example.com');
  t.is(web.inventory_hostname_short, 'web1');
  t.deepEqual(web.group_names, ['app', 'web']);
  t.deepEqual(web.groups, {
    all: ['lone.example.com', 'web1.example.com'],
    ungrouped: ['lone.example.com'],
    web: ['web1.example.com'],
    app: ['web1.example.com'],
  });
  const lone = resolveHost(inventory, 'lone.example.com');
  t.deepEqual(lone.groups, ['all', 'ungrouped']);
  t.deepEqual(lone.vars.group_names, []);
});

test("groupHosts is recursive, in Ansible's order (own hosts, then children as listed), without duplicates", (t) => {
  const { inventory } = loadText('[b]\nh3\nh1\n[a]\nh2\nh1\n[p:children]\na\nb\n');
  // ansible p --list-hosts and ansible all --list-hosts both give h2 h1 h3
  t.deepEqual(groupHosts(inventory, 'p'), ['h2', 'h1', 'h3']);
  t.deepEqual(groupHosts(inventory, 'all'), ['h2', 'h1', 'h3']);
  t.deepEqual(groupHosts(inventory, 'nope'), []);
});

test('resolving survives a group cycle (it is reported at load)', (t) => {
  const { inventory, diagnostics } = loadText('[a:children]\nb\n[b:children]\na\n[a]\nh\n[b:vars]\nx=1\n');
  t.is(diagnostics[0]?.code, 'E_INVENTORY_CYCLE');
  t.is(resolveHost(inventory, 'h').vars.x, 1);
  t.deepEqual(groupHosts(inventory, 'b'), ['h']);
});

test('resolving an unknown host is a bug and throws', (t) => {
  const { inventory } = loadText('h\n');
  t.throws(() => resolveHost(inventory, 'nope'), { message: /no host "nope"/ });
});
