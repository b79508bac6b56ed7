// The lab end to end (root): nodes reachable over ssh only through their namespaces, a core with two
// attached nodes, an nginx load balancer doing round-robin over two routers, and nothing left after down.
import test from 'ava';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { labDown, labStatus, labUp } from '../../src/commands/lab.js';
import { listNamespaces } from '../../src/lab/netns.js';
import { isAlive, type ProcRecord } from '../../src/lab/proc.js';
import { run } from '../../src/lab/run.js';
import { katoProcesses } from '../../src/lab/teardown.js';
import { labSkipReason, namesThroughLb, TEST_SUBNET, withLab, type TestLab } from '../helpers/lab.js';
import { quote } from '../../src/command.js';

/** kato over ssh as stackato (root scripts use su -l stackato, kato.md 3.1), typing the sudo password. */
const asStackato = (cmd: string): string => `echo lab-sudo-pass | su -l stackato -c ${quote(cmd)}`;

const skip = labSkipReason();
const serial = skip ? test.serial.skip : test.serial;
if (skip)
  test('lab tests skipped', (t) => {
    t.log(`skipped: ${skip}`);
    t.pass();
  });

function recordedProcesses(lab: TestLab): ProcRecord[] {
  return lab.state.nodes.flatMap((n) => [
    ...katoProcesses(n.dir),
    ...(n.holder ? [n.holder] : []),
    ...(n.sshd ? [n.sshd] : []),
  ]);
}

const mountsMentioning = (s: string): string[] =>
  readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter((l) => l.includes(s));

// A VM's resolver answers or fails fast; the host's resolv.conf names servers the lab cannot (and must not) reach.
serial("a node's resolver names only its own loopback, and its own name is in /etc/hosts", (t) =>
  withLab(t, { nodes: 1 }, async (lab) => {
    const r = await lab.ssh('core1', 'cat /etc/resolv.conf; echo ---; cat /etc/hosts; echo ---; hostname');
    t.is(r.code, 0, r.stderr);
    const [resolv = '', hosts = '', name = ''] = r.stdout.split('---\n');
    const servers = resolv
      .split('\n')
      .filter((l) => /^\s*nameserver\s/.test(l))
      .map((l) => l.trim().split(/\s+/)[1]);
    t.true(servers.length > 0, resolv);
    for (const s of servers) t.regex(s ?? '', /^127\./, `${s} is outside the node`);
    const own = hosts.split('\n').find((l) => l.trim().split(/\s+/).slice(1).includes(name.trim()));
    t.is(own?.split(/\s+/)[0], lab.state.nodes[0]?.address, hosts);
    // Nothing answers on the node's loopback port 53: an unknown name is not found (refused, not timed out).
    const miss = await lab.ssh('core1', 'getent hosts name-not-in-hosts.invalid; echo "rc=$?"');
    t.is(miss.stdout.trim(), 'rc=2');
  }),
);

serial('lab up: three nodes with own namespaces, hostnames, sshd, inventory; the host has no lab address', (t) =>
  withLab(t, { nodes: 3 }, async (lab) => {
    t.deepEqual(
      lab.state.nodes.map((n) => [n.name, n.address]),
      [
        ['core1', `${TEST_SUBNET}.11`],
        ['router1', `${TEST_SUBNET}.12`],
        ['router2', `${TEST_SUBNET}.13`],
      ],
    );
    const namespaces = await listNamespaces();
    for (const n of lab.state.nodes) t.true(namespaces.includes(n.namespace), n.namespace);
    for (const n of lab.state.nodes) {
      const r = await lab.ssh(n.name, 'hostname; cat /etc/hostname; ip -4 -o addr show dev eth0');
      t.is(r.code, 0, r.stderr);
      const [uts, file, addr] = r.stdout.split('\n');
      t.is(uts, n.name);
      t.is(file, n.name);
      t.regex(addr ?? '', new RegExp(` ${n.address.replace(/\./g, '\\.')}/24 `));
    }
    // Each node has its own /root, as a VM has: a login reads none of the controller's rc files.
    const login = await lab.ssh('core1', 'echo "$HOME"; touch ~/.stackplay-node-home');
    t.deepEqual([login.code, login.stdout, login.stderr], [0, '/root\n', '']);
    const core = lab.state.nodes[0]!;
    t.true(existsSync(join(core.dir, 'root', 'root', '.stackplay-node-home')), "the file is in the node's own /root");
    t.false(existsSync('/root/.stackplay-node-home'), "the controller's /root is not the node's");
    const inventory = readFileSync(join(lab.dir, 'inventory.ini'), 'utf8');
    t.regex(
      inventory,
      new RegExp(
        `^core1 ansible_host=${TEST_SUBNET.replace(/\./g, '\\.')}\\.11 ansible_user=stackato .*ProxyCommand="ip netns exec ${lab.prefix}core1 socat - TCP:%h:%p"`,
        'm',
      ),
    );
    t.deepEqual(
      inventory.split('\n').filter((l) => l.startsWith('[')),
      ['[lab]', '[lab:vars]'],
    );
    t.is(readFileSync(join(lab.dir, 'known_hosts'), 'utf8').trim().split('\n').length, 3);
    const hostAddrs = await run('ip', ['-4', '-o', 'addr']);
    t.false(hostAddrs.stdout.includes(` ${TEST_SUBNET}.`), 'the host namespace has no lab address');
    t.false((await run('ip', ['-o', 'link'])).stdout.includes('spbr0'), 'the bridge is not in the host namespace');

    const holders = lab.state.nodes.map((n) => n.holder?.pid);
    const again = await labUp({
      nodes: 3,
      katoVersion: '3.6.2',
      dir: lab.dir,
      prefix: lab.prefix,
      subnet: TEST_SUBNET,
    });
    t.deepEqual(
      again.nodes.map((n) => n.holder?.pid),
      holders,
      'a second lab up keeps the running nodes',
    );
    const status = await labStatus({ dir: lab.dir });
    t.deepEqual(
      status.nodes.map((n) => `${n.name} ${n.sshd}`),
      ['core1 up', 'router1 up', 'router2 up'],
    );
  }),
);

serial(
  'kato 3.6.2: core, two attached nodes in status --all, LB round-robin over two routers via HTTPS, then lab down leaves nothing',
  (t) =>
    withLab(t, { nodes: 3 }, async (lab) => {
      const core = lab.address('core1');
      const setup = await lab.ssh('core1', asStackato('kato node setup core api.lab.test'));
      // Setup takes a while and the roles start after it; nodes attach once the core is ready.
      t.is((await lab.kato('core1', 'process ready --block 120 all')).stdout, 'READY\n');
      t.is(setup.code, 0, setup.stderr);
      t.is((await lab.ssh('router1', asStackato(`kato node attach -e router ${core}`))).code, 0);
      t.is((await lab.ssh('router2', asStackato(`kato node attach ${core}`))).code, 0);
      for (const n of ['router1', 'router2'])
        t.is((await lab.kato(n, 'process ready --block 120 all')).stdout, 'READY\n');

      const status = await lab.ssh('core1', asStackato('kato status --all --json'));
      t.is(status.code, 0, status.stderr);
      const nodes = (
        JSON.parse(status.stdout) as {
          nodes: Record<string, { name: string; roles: Record<string, { status: string }> }>;
        }
      ).nodes;
      t.deepEqual(
        Object.values(nodes)
          .map((n) => n.name)
          .sort(),
        ['core1', 'router1', 'router2'],
      );
      t.deepEqual(Object.keys(nodes[lab.address('router1')]!.roles), ['base', 'router']);
      t.is(nodes[lab.address('router1')]!.roles.router!.status, 'running');
      t.deepEqual(Object.keys(nodes[core]!.roles), ['base', 'controller', 'primary', 'router']);
      const text = await lab.ssh('core1', asStackato('kato status --all'));
      for (const n of lab.state.nodes) t.true(text.stdout.includes(`${n.address} ${n.name}`), text.stdout);

      const unreachable = await lab.kato('router1', `node attach -e router ${TEST_SUBNET}.99`, {
        KATO_ATTACH_TIMEOUT: '1',
      });
      t.is(unreachable.code, 1);
      t.regex(unreachable.stderr, /did not answer within 1s/);
      t.regex(
        (await lab.kato('router1', 'info')).stdout,
        new RegExp(`mbusip: +${core.replace(/\./g, '\\.')}`),
        'a failed attach changes nothing',
      );

      // A certificate installed at the documented path is the one the load balancer serves.
      const cert = await lab.exec(
        'router2',
        'mkdir -p /etc/ssl/private && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=installed.lab.test -keyout /etc/ssl/private/stackato.key -out /etc/ssl/certs/stackato.crt 2>&1',
      );
      t.is(cert.code, 0, cert.stdout);
      const lb = await lab.ssh('router2', asStackato('kato node setup load_balancer --force'));
      t.is(lb.code, 0, lb.stderr);
      const conf = await lab.exec('router2', 'cat /etc/nginx/kato-lb.conf');
      t.regex(conf.stdout, /upstream stackato_routers/);
      t.regex(lb.stdout, /with the installed certificate/);
      const served = await lab.exec(
        'router2',
        `openssl s_client -connect ${lab.address('router2')}:443 </dev/null 2>/dev/null | openssl x509 -noout -subject`,
      );
      t.regex(served.stdout, /CN ?= ?installed\.lab\.test/);
      const names = await namesThroughLb(lab, 'router2', ['core1', 'router1']);
      t.deepEqual([...new Set(names)].sort(), ['core1', 'router1'], `answers: ${names.join(' ')}`);

      const procs = recordedProcesses(lab);
      t.true(procs.length >= 3 * 2 + 4, 'holders, sshds, redis, mbus, routers and nginx are recorded');
      await labDown({ dir: lab.dir });
      t.deepEqual(
        (await listNamespaces()).filter((ns) => ns.startsWith(lab.prefix)),
        [],
      );
      t.deepEqual(
        procs.filter(isAlive).map((p) => p.what),
        [],
      );
      t.deepEqual(mountsMentioning(lab.dir), []);
      t.deepEqual(mountsMentioning(`/run/netns/${lab.prefix}`), []);
      t.false(readdirSync(join(lab.dir, '..')).includes('lab'), 'the lab folder is gone');
    }),
);

serial(
  'kato 2.10.6: exit 0 on failure (the real bug) unless strict; LB asks to drop its own IP; lab down after a crash',
  (t) =>
    withLab(t, { nodes: 3, katoVersion: '2.10.6' }, async (lab) => {
      const core = lab.address('core1');
      t.is((await lab.kato('core1', 'version')).stdout, '2.10.6\n');
      t.is((await lab.kato('core1', 'node setup core api.lab.test')).code, 0);
      // Setup takes a while and the roles start after it; nodes attach once the core is ready.
      t.is((await lab.kato('core1', 'process ready --block 120 all')).stdout, 'READY\n');
      t.regex((await lab.kato('core1', 'info')).stdout, /assigned roles: +base controller primary router/);
      const bad = await lab.kato('core1', 'role remove base');
      t.is(bad.code, 0);
      t.regex(bad.stderr, /base role cannot be removed/);
      t.is((await lab.kato('core1', 'role remove base', { KATO_STRICT_EXIT: '1' })).code, 1);
      t.is((await lab.kato('router1', `node attach -e router ${core}`)).code, 0);
      t.is((await lab.kato('router2', `node attach -e router ${core}`)).code, 0);
      const lb = await lab.exec(
        'router2',
        `printf 'y\\nlab-sudo-pass\\n' | su -l stackato -c 'kato node setup load_balancer'`,
      );
      t.regex(lb.stdout, /Remove this node's IP \(.*\) from the pool of routers\? \[Y\/n\] y/);
      t.regex(
        lb.stdout,
        new RegExp(`round-robin over ${core.replace(/\./g, '\\.')}, ${lab.address('router1').replace(/\./g, '\\.')};`),
      );
      t.deepEqual([...new Set(await namesThroughLb(lab, 'router2', ['core1', 'router1']))].sort(), [
        'core1',
        'router1',
      ]);

      // A crash: the holder and sshd of one node die without lab down.
      const victim = lab.state.nodes[1]!;
      for (const p of [victim.sshd!, victim.holder!]) process.kill(p.pid, 'SIGKILL');
      t.is((await labStatus({ dir: lab.dir })).nodes[1]!.sshd, 'down');
      const procs = recordedProcesses(lab);
      await labDown({ dir: lab.dir });
      t.deepEqual(
        (await listNamespaces()).filter((ns) => ns.startsWith(lab.prefix)),
        [],
      );
      t.deepEqual(
        procs.filter(isAlive).map((p) => p.what),
        [],
      );
      t.deepEqual(mountsMentioning(lab.dir), []);
    }),
);

serial(
  'kato 3.6.2: rename writes /etc/hostname and /etc/hosts; static_ip --restart-network moves the core; reattach follows it; attaching to another cluster is refused',
  (t) =>
    withLab(t, { nodes: 3 }, async (lab) => {
      t.is((await lab.kato('core1', 'node rename stackato.lab.test --no-restart')).code, 0);
      t.is((await lab.kato('core1', 'node setup core api.stackato.lab.test')).code, 0);
      // Setup takes a while and the roles start after it; nodes attach once the core is ready.
      t.is((await lab.kato('core1', 'process ready --block 120 all')).stdout, 'READY\n');
      const names = await lab.exec('core1', 'hostname; cat /etc/hostname /etc/hosts');
      t.regex(names.stdout, /^stackato\.lab\.test\nstackato\.lab\.test\n/);
      t.regex(
        names.stdout,
        new RegExp(`${lab.address('core1').replace(/\./g, '\\.')}\tstackato.lab.test api.stackato.lab.test`),
      );
      t.is((await lab.kato('router1', `node attach -e router ${lab.address('core1')}`)).code, 0);

      const moved = `${TEST_SUBNET}.50`;
      const before = lab.address('core1');
      const r = await lab.kato(
        'core1',
        `op static_ip --ip=${moved} --netmask=255.255.255.0 --gateway=${TEST_SUBNET}.1 --dns-nameservers= --restart-network`,
      );
      t.is(r.code, 0, r.stderr);
      t.regex(
        r.stdout,
        new RegExp(`Running kato node migrate ${before.replace(/\./g, '\\.')} ${moved.replace(/\./g, '\\.')}`),
      );
      const addr = await run('ip', ['-n', lab.namespace('core1'), '-4', '-o', 'addr', 'show', 'dev', 'eth0']);
      t.regex(addr.stdout, new RegExp(` ${moved.replace(/\./g, '\\.')}/24 `));
      t.regex(
        (await lab.exec('core1', 'cat /etc/network/interfaces')).stdout,
        new RegExp(
          `address ${moved.replace(/\./g, '\\.')}\n {4}netmask 255.255.255.0\n {4}network ${TEST_SUBNET.replace(/\./g, '\\.')}.0\n`,
        ),
      );
      const status = await labStatus({ dir: lab.dir });
      t.deepEqual([status.nodes[0]!.address, status.nodes[0]!.sshd], [moved, 'up']);
      t.is(lab.address('core1'), moved);
      t.is(
        (await lab.ssh('core1', 'hostname')).stdout.trim(),
        'stackato.lab.test',
        'ssh reaches the node at its new address',
      );

      t.is((await lab.kato('router1', `node reattach ${moved}`)).code, 0);
      // A node of this cluster cannot join another one: router1 stays attached to the moved core.
      t.is((await lab.kato('router2', 'node setup core api.other.lab.test')).code, 0);
      // Setup takes a while and the roles start after it; nodes attach once the core is ready.
      t.is((await lab.kato('router2', 'process ready --block 120 all')).stdout, 'READY\n');
      const other = await lab.kato('router1', `node attach -e router ${lab.address('router2')}`);
      t.is(other.code, 1);
      t.regex(other.stderr, /attached to the core at 10\.78\.0\.50; the core at 10\.78\.0\.13 is another cluster/);
      t.is(JSON.parse((await lab.kato('router1', 'info --json')).stdout).mbusip, moved);
      const list = await lab.kato('core1', 'node list');
      t.deepEqual(
        list.stdout.trim().split('\n').sort(),
        [`${lab.address('router1')} base router`, `${moved} base controller primary router`].sort(),
      );
    }),
);
