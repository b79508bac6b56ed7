// The stackato_nodes group a run derives: hosts with a role group or stackato_roles (also from group vars), none else.
import test from 'ava';
import { addStackatoNodes } from '../../src/inventory/cluster-group.js';
import { groupHosts, resolveHost } from '../../src/inventory/resolve.js';
import { loadText } from './helpers.js';

test('stackato_nodes: role groups and stackato_roles (host or group var), in inventory order; not a bare host', (t) => {
  const { inventory } = loadText(`
nas1
[core]
core1
[databases]
db1
db2 stackato_roles=redis
[databases:vars]
stackato_roles=mysql
[dea]
dea1
[tools]
bastion1
`);
  resolveHost(inventory, 'core1'); // an index built before the group is added must not hide it
  t.deepEqual(addStackatoNodes(inventory), ['core1', 'db1', 'db2', 'dea1']);
  t.deepEqual(groupHosts(inventory, 'stackato_nodes'), ['core1', 'db1', 'db2', 'dea1']);
  t.true(resolveHost(inventory, 'db1').groups.includes('stackato_nodes'));
  t.false(resolveHost(inventory, 'nas1').groups.includes('stackato_nodes'));
});

test("stackato_nodes: an inventory's own group of that name wins; a plain inventory gets none", (t) => {
  const own = loadText('[stackato_nodes]\nweb1\n[core]\ncore1\n').inventory;
  t.deepEqual(addStackatoNodes(own), []);
  t.deepEqual(groupHosts(own, 'stackato_nodes'), ['web1']);
  const plain = loadText('[web]\nweb1\n').inventory;
  t.deepEqual(addStackatoNodes(plain), []);
  t.false(plain.groups.has('stackato_nodes'), "its groups stay exactly Ansible's");
});
