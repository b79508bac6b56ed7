// `inventory --list` and `--graph` output: Ansible's JSON shape, the tree, roles and phases, masked secrets.
import test from 'ava';
import {
  inventoryListObject,
  maskSecrets,
  renderInventoryGraph,
  renderInventoryList,
} from '../../src/commands/inventory.js';
import { loadInventories } from '../../src/inventory/load.js';
import { loadText } from './helpers.js';

const SECRETIVE = `
solo ansible_password=hunter2
[core]
core1 ansible_host=10.0.0.1 api_token=abc db="{'admin_password': 'pw', 'user': 'u'}"
[dea]
dea1
[dea:vars]
ansible_become_password=s3cret
deploy_secret=xyz
passwords_file=/etc/pw
[all:vars]
ansible_user=root
`;

test("--list --json has Ansible's shape: groups with hosts/children, merged vars in _meta.hostvars", (t) => {
  const { inventory, diagnostics } = loadText('lone\n[web]\nw1 a=1\n[app:children]\nweb\n[empty]\n[app:vars]\nb=2\n');
  t.deepEqual(diagnostics, []);
  // Empty groups and empty keys are left out, and hosts without vars have no hostvars entry, as in Ansible.
  t.deepEqual(inventoryListObject(inventory), {
    _meta: { hostvars: { w1: { b: 2, a: 1 } } },
    all: { children: ['ungrouped', 'app', 'empty'] },
    ungrouped: { hosts: ['lone'] },
    app: { children: ['web'] },
    web: { hosts: ['w1'] },
  });
});

test('--list JSON masks secret-looking vars, nested ones too, and leaves others', (t) => {
  const { inventory } = loadText(SECRETIVE);
  const out = renderInventoryList(inventory, { json: true });
  for (const secret of ['hunter2', 'abc', '"pw"', 's3cret', 'xyz']) t.false(out.includes(secret), secret);
  const hv = (JSON.parse(out) as { _meta: { hostvars: Record<string, Record<string, unknown>> } })._meta.hostvars;
  t.like(hv.core1, { api_token: '********', db: { admin_password: '********', user: 'u' }, ansible_user: 'root' });
  t.like(hv.dea1, { ansible_become_password: '********', deploy_secret: '********', passwords_file: '/etc/pw' });
  t.like(hv.solo, { ansible_password: '********' });
});

test('the readable --list shows groups, roles with phase, and masked vars', (t) => {
  const { inventory } = loadText(SECRETIVE);
  const out = renderInventoryList(inventory, { json: false });
  t.false(out.includes('hunter2'));
  t.false(out.includes('s3cret'));
  t.true(out.includes('core1\n  groups: core\n  roles: core (phase 1 core)\n  vars:\n'));
  t.true(out.includes('solo\n  groups: ungrouped\n  vars:\n    ansible_user: root\n    ansible_password: ********'));
  t.true(out.includes('    db: {"admin_password":"********","user":"u"}'));
});

test('maskSecrets leaves empty secrets and non-secret keys alone', (t) => {
  t.deepEqual(maskSecrets({ a_password: '', b_token: 'x', tokens: 'y', list: [{ k_secret: 1 }] }), {
    a_password: '',
    b_token: '********',
    tokens: 'y',
    list: [{ k_secret: '********' }],
  });
});

test('--graph of the lab: the @all tree with roles and phases', (t) => {
  const { inventory } = loadInventories(['inventory/lab.ini']);
  t.is(
    renderInventoryGraph(inventory),
    [
      '@all:',
      '  |--@core:',
      '  |  |--core1  [core; phase 1 core]',
      '  |--@data_services:',
      '  |  |--data1  [data_services; phase 4 data_services]',
      '  |--@dea:',
      '  |  |--dea1  [dea; phase 6 dea]',
      '  |  |--dea2  [dea; phase 6 dea]',
      '  |--@load_balancer:',
      '  |  |--lb1  [load_balancer; phase 8 load_balancer]',
      '  |--@router:',
      '  |  |--router1  [router; phase 3 router]',
      '  |  |--router2  [router; phase 3 router]',
      '  |--@stager:',
      '  |  |--stager1  [stager; phase 5 stager]',
      '  |--@ungrouped:',
    ].join('\n'),
  );
});

test('--graph nests groups, lists plain hosts bare, and shows masked vars on request', (t) => {
  const { inventory } = loadText('lone\n[app:children]\nweb\n[web]\nw2\nw1 ansible_password=pw\n[web:vars]\nport=80\n');
  t.is(
    renderInventoryGraph(inventory, { vars: true }),
    [
      '@all:',
      '  |--@app:',
      '  |  |--@web:',
      '  |  |  |--w1',
      '  |  |  |  |--{ansible_password = ********}',
      '  |  |  |--w2',
      '  |  |  |--{port = 80}',
      '  |--@ungrouped:',
      '  |  |--lone',
    ].join('\n'),
  );
  t.false(renderInventoryGraph(inventory).includes('{'));
});

test('--graph stops at a group cycle instead of looping', (t) => {
  const { inventory } = loadText('[a:children]\nb\n[b:children]\na\n[top:children]\na\n');
  t.is(
    renderInventoryGraph(inventory),
    ['@all:', '  |--@top:', '  |  |--@a:', '  |  |  |--@b:', '  |  |  |  |--@a:', '  |--@ungrouped:'].join('\n'),
  );
});
