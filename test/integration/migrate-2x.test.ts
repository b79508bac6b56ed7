// stackplay migrate on a kato 2.10 lab cluster named by host (no ansible_host but the core's): the core's address
// moves first through static_ip's prompts and /etc/init.d/networking, then its config; every node follows with
// `kato node migrate` and is verified by its own address; the DNS lists are kept; a rerun changes nothing.
import test from 'ava';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { withLab, labSkipReason, TEST_SUBNET, type TestLab } from '../helpers/lab.js';
import { labPaths, proxyCommand } from '../../src/commands/lab.js';
import { runCli, recapOf } from './cli.js';

const skip = labSkipReason();
const it = skip ? test.serial.skip : test.serial;
if (skip)
  test('2.x migrate tests need the lab', (t) => {
    t.log(`skipped: ${skip}`);
    t.pass();
  });

// The lab names its first six nodes core1 router1 router2 data1 stager1 dea1; router2 serves as a second DEA
// here, since two routers would need a load balancer.
const ROLES = `[core]\ncore1\n[router]\nrouter1\n[data_services]\ndata1\n[stager]\nstager1\n[dea]\nrouter2\ndea1\n[all:vars]\ncluster_fqdn=stackato.test\nnetmask=255.255.255.0\ngateway=${TEST_SUBNET}.1\n`;
const NEW_IP = `${TEST_SUBNET}.50`;
const NODES = ['core1', 'router1', 'router2', 'data1', 'stager1', 'dea1'];
const HOST_INIT = '/etc/init.d/networking';

const hostInit = (): string | null => (existsSync(HOST_INIT) ? readFileSync(HOST_INIT, 'utf8') : null);

/**
 * The nodes other than the core are named, not addressed: no ansible_host, their ssh goes to a fixed address
 * (as a DNS name or an ssh config would resolve it) and known_hosts knows them by name.
 */
function inventories(lab: TestLab): string[] {
  const paths = labPaths(lab.dir);
  const knownHosts = join(lab.dir, 'known_hosts_by_name');
  const byIp = new Map(lab.state.nodes.map((n) => [n.address, n.name]));
  const lines = readFileSync(paths.knownHosts, 'utf8').trim().split('\n');
  const named = lines.flatMap((l) => {
    const [ip, ...key] = l.split(' ');
    return byIp.has(ip!) ? [l, `${byIp.get(ip!)} ${key.join(' ')}`] : [l];
  });
  writeFileSync(knownHosts, `${named.join('\n')}\n`);
  const hosts = lab.state.nodes.map((n) => {
    const ssh = `ansible_user=stackato ansible_become_password=lab-sudo-pass ansible_ssh_private_key_file=${paths.key}`;
    if (n.name === 'core1')
      return `${n.name} ansible_host=${n.address} ${ssh} ansible_ssh_common_args='-o ProxyCommand="${proxyCommand(n.namespace)}" -o UserKnownHostsFile=${paths.knownHosts}'`;
    const proxy = `ip netns exec ${n.namespace} socat - TCP:${n.address}:%p`;
    return `${n.name} ${ssh} ansible_ssh_common_args='-o ProxyCommand="${proxy}" -o UserKnownHostsFile=${knownHosts}'`;
  });
  const file = join(lab.dir, 'named.ini');
  writeFileSync(file, `[lab]\n${hosts.join('\n')}\n${ROLES}`);
  return ['-i', file];
}

it('kato 2.10, nodes named not addressed: the core moves to a new IP (static_ip prompts keeping the DNS lists, /etc/init.d/networking restart, then kato node migrate); every node follows and is verified by its own address; a rerun changes nothing', async (t) => {
  const before = hostInit();
  await withLab(t, { nodes: 6, katoVersion: '2.10.6' }, async (lab) => {
    t.is(hostInit(), before, `lab up must not touch the host's ${HOST_INIT}`);
    const own = await lab.exec('core1', `test -x ${HOST_INIT} && echo ok`);
    t.is(own.stdout.trim(), 'ok', `the node has its own ${HOST_INIT}`);

    const inv = inventories(lab);
    const work = mkdtempSync(join(tmpdir(), 'stackplay-migrate2-'));
    t.teardown(() => rmSync(work, { recursive: true, force: true }));
    const built = await runCli(['run', 'playbooks/cluster.yml', ...inv, '--output', 'json']);
    t.is(built.code, 0, built.stdout.slice(-2000) + built.stderr);
    const oldIp = lab.address('core1');
    // The core has DNS servers and a search domain (2.10's prompts take comma-separated lists).
    // kato as stackato: the five answers, then the sudo password it asks for to write the file.
    const answers = [oldIp, '255.255.255.0', `${TEST_SUBNET}.1`, `${TEST_SUBNET}.2,${TEST_SUBNET}.3`, 'lab.test'];
    const dns = await lab.kato('core1', 'op static_ip', undefined, `${[...answers, 'lab-sudo-pass'].join('\n')}\n`);
    t.is(dns.code, 0, dns.stderr);
    t.regex((await lab.exec('core1', 'cat /etc/network/interfaces')).stdout, /dns-search lab\.test/);
    for (const n of NODES) {
      const info = JSON.parse((await lab.kato(n, 'info --json')).stdout) as { mbusip: string };
      t.is(info.mbusip, oldIp, `${n} is attached to the core before the move`);
    }

    const migrate = ['migrate', ...inv, '--new-core-ip', NEW_IP, '--output', 'json'];
    const moved = await runCli(migrate, { env: { STACKPLAY_STATE_DIR: work } });
    t.is(moved.code, 0, moved.stdout.slice(-3000) + moved.stderr);
    t.is(recapOf(moved).core1!.changed > 0, true, 'the core was changed');

    const eth0 = await lab.exec('core1', 'ip -4 -o addr show dev eth0');
    t.regex(eth0.stdout, new RegExp(` ${NEW_IP.replace(/\./g, '\\.')}/24 `), "the core's eth0 has the new address");
    t.false(eth0.stdout.includes(` ${oldIp}/`), "the core's old address is gone");
    const stanza = (await lab.exec('core1', 'cat /etc/network/interfaces')).stdout;
    t.regex(stanza, new RegExp(`iface eth0 inet static\\n\\s+address ${NEW_IP.replace(/\./g, '\\.')}\\n`));
    t.regex(stanza, /dns-nameservers 10\.78\.0\.2 10\.78\.0\.3\n/, 'the DNS servers are kept');
    t.regex(stanza, /dns-search lab\.test\n/, 'the search domain is kept');
    // The guide's 2.x order on the core: the address changes, then `kato node migrate` moves the config.
    const log = (await lab.exec('core1', 'cat /home/stackato/stackplay-migrate.log')).stdout;
    const at = (s: string) => log.indexOf(s);
    t.true(at('Wrote /etc/network/interfaces') >= 0, log);
    t.true(at('Reconfiguring network interfaces') > at('Wrote /etc/network/interfaces'), log);
    t.true(at(`Migrated the configuration from ${oldIp} to ${NEW_IP}`) > at('Reconfiguring network interfaces'), log);
    for (const n of NODES) {
      const info = JSON.parse((await lab.kato(n, 'info --json')).stdout) as { mbusip: string; ip: string };
      t.is(info.mbusip, NEW_IP, `${n} still points at the old core`);
      if (n === 'core1') t.is(info.ip, NEW_IP);
    }
    const listed = await lab.kato('core1', 'node list --json');
    t.true(listed.stdout.includes(NEW_IP), listed.stdout);
    t.false(listed.stdout.includes(`"${oldIp}"`), `the core still lists ${oldIp}: ${listed.stdout}`);
    // The core answers ssh at its new address (the known_hosts entry followed it).
    t.is(lab.address('core1'), NEW_IP);
    const ssh = await lab.ssh('core1', 'ip -4 -o addr show dev eth0');
    t.is(ssh.code, 0, ssh.stderr);
    t.true(ssh.stdout.includes(` ${NEW_IP}/24 `), ssh.stdout);

    const rerun = await runCli(migrate, { env: { STACKPLAY_STATE_DIR: work } });
    t.is(rerun.code, 0, rerun.stdout.slice(-3000) + rerun.stderr);
    for (const [host, line] of Object.entries(recapOf(rerun)))
      t.is(line.changed, 0, `${host} changed on a rerun after success`);
  });
  t.is(hostInit(), before, `lab down must leave the host's ${HOST_INIT} as it was`);
});
