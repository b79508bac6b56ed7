// A lab node's /etc/init.d/networking: private to the node, and `restart` brings eth0 to what kato wrote.
import test from 'ava';
import { existsSync, readFileSync } from 'node:fs';
import { methodOf } from '../../src/lab/kato/init-networking.js';
import { labSkipReason, TEST_SUBNET, withLab } from '../helpers/lab.js';

const skip = labSkipReason();
const serial = skip ? test.serial.skip : test.serial;
if (skip)
  test('networking lab tests skipped', (t) => {
    t.log(`skipped: ${skip}`);
    t.pass();
  });

const HOST_INIT = '/etc/init.d/networking';
const hostInit = (): string | null => (existsSync(HOST_INIT) ? readFileSync(HOST_INIT, 'utf8') : null);

test('methodOf reads the inet method of one interface', (t) => {
  const text = 'auto lo\niface lo inet loopback\n\nauto eth0\niface eth0 inet static\n    address 10.0.0.5\n';
  t.is(methodOf(text, 'eth0'), 'static');
  t.is(methodOf(text, 'lo'), 'loopback');
  t.is(methodOf(text, 'eth1'), undefined);
  t.is(methodOf('iface eth0 inet dhcp\n', 'eth0'), 'dhcp');
});

serial(
  'kato 2.10 node: static_ip only writes the file; /etc/init.d/networking restart moves eth0; the host keeps its /etc/init.d',
  async (t) => {
    const before = hostInit();
    await withLab(t, { nodes: 1, katoVersion: '2.10.6' }, async (lab) => {
      t.is(hostInit(), before);
      const old = lab.address('core1');
      const usage = await lab.exec('core1', `${HOST_INIT} bogus`);
      t.is(usage.code, 1);
      t.regex(usage.stderr, /Usage: .*restart/);
      const dhcp = await lab.exec('core1', `${HOST_INIT} restart`);
      t.is(dhcp.code, 0, dhcp.stderr);
      t.regex(dhcp.stdout, new RegExp(`dhcp.*keeps ${old.replace(/\./g, '\\.')}`));

      const newIp = `${TEST_SUBNET}.60`;
      // The five answers, then the sudo password kato asks for to write /etc/network/interfaces.
      const written = await lab.kato(
        'core1',
        'op static_ip',
        {},
        `${[newIp, '255.255.255.0', `${TEST_SUBNET}.1`, '', '', 'lab-sudo-pass'].join('\n')}\n`,
      );
      t.regex(written.stdout, /Networking was not restarted/);
      t.true(
        (await lab.exec('core1', 'ip -4 -o addr show dev eth0')).stdout.includes(` ${old}/24 `),
        'static_ip alone does not move a 2.x node',
      );

      const restarted = await lab.exec('core1', `${HOST_INIT} restart`);
      t.is(restarted.code, 0, restarted.stderr);
      const eth0 = (await lab.exec('core1', 'ip -4 -o addr show dev eth0')).stdout;
      t.true(eth0.includes(` ${newIp}/24 `), eth0);
      t.false(eth0.includes(` ${old}/`), eth0);
      t.is(lab.address('core1'), newIp, 'the lab follows the node to its new address');
      t.is(JSON.parse((await lab.kato('core1', 'info --json')).stdout).ip, newIp);
      t.is((await lab.ssh('core1', 'echo ok')).stdout.trim(), 'ok', 'ssh reaches the node at its new address');
      t.regex(
        (await lab.exec('core1', `${HOST_INIT} status`)).stdout,
        new RegExp(`eth0: ${newIp.replace(/\./g, '\\.')}/24`),
      );
    });
    t.is(hostInit(), before, `lab down leaves the host's ${HOST_INIT} as it was`);
  },
);
