// CLI modes that never connect: --list-hosts, --list-tasks, --syntax-check, inventory --graph, modules, schema.
import test from 'ava';
import { runCli } from './cli.js';

test("--list-hosts shows each play's hosts in phase order", async (t) => {
  const r = await runCli(['run', 'playbooks/cluster.yml', '-i', 'inventory/lab.ini', '--list-hosts']);
  t.is(r.code, 0, r.stderr);
  const attach = r.stdout.split('\n\n').find((p) => p.includes('attach the nodes'))!;
  // The core too: there node_attach only converges the core's own stackato_roles.
  t.regex(
    attach,
    /hosts \(7\):\n {4}# phase core\n {4}core1\n {4}# phase router\n {4}router1\n {4}router2\n {4}# phase data_services\n {4}data1/,
  );
});

test('--list-tasks honours --tags; --syntax-check says OK; -l narrows', async (t) => {
  const tasks = await runCli(['run', 'playbooks/cluster.yml', '-i', 'inventory/lab.ini', '--list-tasks']);
  t.is(tasks.code, 0, tasks.stderr);
  t.regex(
    tasks.stdout,
    /play #1 \(core\): core node\n {2}tasks:\n {4}pin the core's address\n {4}give the core the cluster name/,
  );
  const syntax = await runCli(['run', 'playbooks/cluster.yml', '-i', 'inventory/lab.yml', '--syntax-check']);
  t.is(syntax.code, 0, syntax.stderr);
  t.regex(syntax.stdout, /syntax OK/);
  const limited = await runCli([
    'run',
    'playbooks/cluster.yml',
    '-i',
    'inventory/lab.ini',
    '--list-hosts',
    '-l',
    'dea*',
  ]);
  t.notRegex(limited.stdout, /router1/);
  t.regex(limited.stdout, /dea2/);
});

test('inventory --graph shows roles and phases; --list --json has merged vars with secrets masked', async (t) => {
  const g = await runCli(['inventory', '-i', 'inventory/lab.ini', '--graph']);
  t.is(g.code, 0, g.stderr);
  t.regex(g.stdout, /\|--lb1 {2}\[load_balancer; phase 8 load_balancer\]/);
  const l = await runCli([
    'inventory',
    '-i',
    'inventory/lab.ini',
    '-i',
    'test/fixtures/integration/secret-vars.ini',
    '--list',
    '--json',
  ]);
  t.is(l.code, 0, l.stderr);
  const data = JSON.parse(l.stdout) as { _meta: { hostvars: Record<string, Record<string, unknown>> } };
  t.is(data._meta.hostvars.core1!.cluster_fqdn, 'stackato.lab');
  t.is(data._meta.hostvars.core1!.ansible_password, '********');
  t.false(l.stdout.includes('hunter2-secret'));
});

// Issue 14 point 4: any inventory that parses is listed; its topology problems are warnings there, and still stop run and migrate.
test('inventory --list/--graph list an inventory with a topology problem, warning; run and migrate refuse it with exit 4', async (t) => {
  const inv = 'test/fixtures/inventory/bad/topo-routers-no-lb.ini';
  const warning =
    /^warning\[E_TOPOLOGY_ROUTER_LB\] router2: 2 routers .* \(run and migrate refuse this inventory\)\n {2}--> test\/fixtures\/inventory\/bad\/topo-routers-no-lb.ini:6:1/m;
  const list = await runCli(['inventory', '-i', inv, '--list', '--json']);
  t.is(list.code, 0, list.stderr);
  t.regex(list.stderr, warning);
  const data = JSON.parse(list.stdout) as Record<string, { hosts?: string[] }>;
  t.deepEqual(data.router?.hosts, ['router1', 'router2']);
  const graph = await runCli(['inventory', '-i', inv, '--graph']);
  t.is(graph.code, 0, graph.stderr);
  t.regex(graph.stdout, /\|--@router:\n {2}\| {2}\|--router1 /);
  t.regex(graph.stderr, warning);
  const run = await runCli(['run', 'playbooks/cluster.yml', '-i', inv, '--check']);
  t.is(run.code, 4);
  t.regex(run.stderr, /^error\[E_TOPOLOGY_ROUTER_LB\]/m);
  const migrate = await runCli(['migrate', '-i', inv, '--new-core-ip', '10.77.0.50']);
  t.is(migrate.code, 4);
  t.regex(migrate.stderr, /^error\[E_TOPOLOGY_ROUTER_LB\]/m);
});

test('modules and schema print documentation generated from the schemas', async (t) => {
  const m = await runCli(['modules', 'node_attach']);
  t.is(m.code, 0, m.stderr);
  t.regex(m.stdout, /core_ip/);
  t.regex(m.stdout, /Example:/);
  const bad = await runCli(['modules', 'node_atach']);
  t.is(bad.code, 5);
  t.regex(bad.stderr, /did you mean "node_attach"/);
  const s = await runCli(['schema']);
  t.is(s.code, 0);
  t.truthy((JSON.parse(s.stdout) as { $schema?: string }).$schema);
});

test('the tree renderer runs a play to its recap when asked for explicitly', async (t) => {
  const r = await runCli([
    'run',
    'test/fixtures/integration/local.yml',
    '-i',
    'test/fixtures/integration/local.ini',
    '--output',
    'tree',
  ]);
  t.is(r.code, 0, r.stdout + r.stderr);
  t.regex(r.stdout, /say hello/);
  t.regex(r.stdout, /RECAP\nlocalhost : ok=2 {2}changed=0/);
});
