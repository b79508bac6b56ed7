// inventory/lab.ini and inventory/lab.yml describe the same lab cluster.
import test from 'ava';
import { loadInventories } from '../../src/inventory/load.js';
import { resolveHost } from '../../src/inventory/resolve.js';
import { phaseOf, rolesOf } from '../../src/inventory/roles.js';
import type { Inventory } from '../../src/inventory/types.js';

const resolvedAll = (inv: Inventory) => [...inv.hosts.keys()].map((h) => resolveHost(inv, h));

test('lab.ini and lab.yml resolve to identical hosts, groups and vars', (t) => {
  const ini = loadInventories(['inventory/lab.ini']);
  const yml = loadInventories(['inventory/lab.yml']);
  t.deepEqual(ini.diagnostics, []);
  t.deepEqual(yml.diagnostics, []);
  t.deepEqual(resolvedAll(ini.inventory), resolvedAll(yml.inventory));
  const groups = (inv: Inventory) =>
    [...inv.groups.values()].map((g) => [g.name, [...g.hosts].sort(), [...g.children].sort(), g.vars]);
  t.deepEqual(groups(ini.inventory).sort(), groups(yml.inventory).sort());
});

test('the lab is the 8-node cluster on 10.77.0.11..18 reached through sp-<host> namespaces', (t) => {
  const { inventory } = loadInventories(['inventory/lab.ini']);
  const hosts = resolvedAll(inventory);
  t.deepEqual(
    hosts.map((h) => h.name),
    ['core1', 'router1', 'router2', 'data1', 'stager1', 'dea1', 'dea2', 'lb1'],
  );
  hosts.forEach((h, i) => {
    t.is(h.vars.ansible_host, `10.77.0.${11 + i}`);
    t.is(h.vars.ansible_user, 'stackato', 'kato runs as stackato, not root (kato.md section 2)');
    t.is(h.vars.ansible_become_password, 'lab-sudo-pass');
    t.is(h.vars.ansible_ssh_common_args, `-o ProxyCommand="ip netns exec sp-${h.name} socat - TCP:%h:%p"`);
  });
  t.deepEqual(
    hosts.map((h) => `${rolesOf(h).join('+')}@${phaseOf(h)}`),
    [
      'core@core',
      'router@router',
      'router@router',
      'data_services@data_services',
      'stager@stager',
      'dea@dea',
      'dea@dea',
      'load_balancer@load_balancer',
    ],
  );
});
