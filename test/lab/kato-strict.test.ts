// The lab's kato as strict as reference/kato.md: stackato, not root; sudo with a password; setup takes time
// and roles start after it; a version mismatch needs -f; static_ip asks in the documented order.
import test from 'ava';
import { labSkipReason, withLab } from '../helpers/lab.js';

const skip = labSkipReason();
const it = skip ? test.serial.skip : test.serial;
if (skip) test('strict kato tests need the lab', (t) => t.log(`skipped: ${skip}`) ?? t.pass());

it('kato 3.6.2: root refused; sudo asks the password (none or a wrong one fails); attach waits for the core; version mismatch needs -f; static_ip prompts in order', (t) =>
  withLab(t, { nodes: 2, nodeVersions: { router1: '3.4.2' }, setupSeconds: 1, startingSeconds: 20 }, async (lab) => {
    const root = await lab.exec('core1', 'kato version');
    t.is(root.code, 1);
    t.regex(root.stderr, /must be run as the stackato user, not root/);

    const none = await lab.kato('core1', 'node rename core.lab.test --no-restart', {}, '');
    t.is(none.code, 1);
    t.regex(none.stderr, /needs sudo to write \/etc\/hostname .* got no answer/);
    const wrong = await lab.kato('core1', 'node rename core.lab.test --no-restart', {}, 'not-it\n');
    t.is(wrong.code, 1);
    t.regex(wrong.stderr, /incorrect password/);
    t.not((await lab.exec('core1', 'cat /etc/hostname')).stdout.trim(), 'core.lab.test');
    const ok = await lab.kato('core1', 'node rename core.lab.test --no-restart');
    t.is(ok.code, 0, ok.stderr);
    t.notRegex(ok.stdout + ok.stderr, /lab-sudo-pass/, 'the password is never echoed');

    t.is((await lab.kato('core1', 'node setup core api.core.lab.test')).code, 0);
    t.regex((await lab.kato('core1', 'status')).stdout, /router\s+starting/);
    const early = await lab.kato('router1', `node attach -f -e router ${lab.address('core1')}`);
    t.is(early.code, 1);
    t.regex(early.stderr, /not ready: its roles are still starting/);
    t.is((await lab.kato('core1', 'process ready --block 120 all')).stdout, 'READY\n');

    const mismatch = await lab.kato('router1', `node attach -e router ${lab.address('core1')}`);
    t.is(mismatch.code, 1);
    t.regex(mismatch.stderr, /version mismatch: this node runs 3\.4\.2, the core runs 3\.6\.2/);
    t.is((await lab.kato('router1', `node attach -f -e router ${lab.address('core1')}`)).code, 0);

    // static_ip prompts: IP, netmask, gateway, DNS servers, search domains, then the sudo password.
    const bad = await lab.kato('router1', 'op static_ip', {}, `${lab.address('router1')}\n10.78.0.1\n`);
    t.is(bad.code, 1);
    t.regex(bad.stdout, /IP address \[.*\]: .*\nNetmask \[.*\]: /);
    t.regex(bad.stderr, /Netmask: "10\.78\.0\.1" is not a valid netmask/);
    const answers = `${lab.address('router1')}\n255.255.255.0\n10.78.0.1\n\n\nlab-sudo-pass\n`;
    const good = await lab.kato('router1', 'op static_ip', {}, answers);
    t.is(good.code, 0, good.stderr);
    t.regex(
      good.stdout,
      /IP address.*\nNetmask.*\nGateway.*\nDNS name servers.*\nDNS search domains.*\n\[sudo\] password/,
    );
    t.regex((await lab.exec('router1', 'cat /etc/network/interfaces')).stdout, /iface eth0 inet static/);
  }));
