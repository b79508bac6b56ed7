// Pure parts of the kato emulator and the lab: interfaces, hosts, config trees, nginx, migrate, RESP, layout.
import test from 'ava';
import { replaceIp } from '../../src/lab/kato/cmd-node.js';
import { deletePath, flatten, getPath, parseValue, setPath } from '../../src/lab/kato/config-tree.js';
import { KatoError } from '../../src/lab/kato/errors.js';
import { checkHostname, renderHosts } from '../../src/lab/kato/hosts.js';
import {
  broadcastOf,
  checkStaticIp,
  interfacesFile,
  networkOf,
  prefixOf,
  readStatic,
  splitList,
  type StaticIp,
} from '../../src/lab/kato/interfaces.js';
import { nginxConfig, routersIn } from '../../src/lab/kato/lb.js';
import { encodeCommand, parseReply, RespError } from '../../src/lab/kato/resp.js';
import { checkLayout, DEFAULT_LAYOUT, planNodes } from '../../src/lab/names.js';

const s: StaticIp = {
  iface: 'eth0',
  ip: '10.0.0.5',
  netmask: '255.255.255.0',
  gateway: '10.0.0.254',
  dnsNameservers: ['8.8.8.8'],
  dnsSearch: ['example.com'],
};

test('static_ip: network and broadcast are computed; bad input is refused', (t) => {
  t.is(networkOf('10.0.5.77', '255.255.252.0'), '10.0.4.0');
  t.is(broadcastOf('10.0.5.77', '255.255.252.0'), '10.0.7.255');
  t.is(prefixOf('255.255.255.0'), 24);
  t.is(prefixOf('255.0.255.0'), undefined);
  t.is(checkStaticIp(s), undefined);
  t.regex(checkStaticIp({ ...s, ip: '10.0.0.256' }) ?? '', /not a valid IP/);
  t.regex(checkStaticIp({ ...s, netmask: '255.0.255.0' }) ?? '', /not a valid netmask/);
  t.regex(checkStaticIp({ ...s, gateway: '10.0.1.1' }) ?? '', /not in the network 10.0.0.0\/24/);
  t.regex(checkStaticIp({ ...s, ip: '10.0.0.255' }) ?? '', /broadcast/);
  t.regex(checkStaticIp({ ...s, dnsNameservers: ['dns.example'] }) ?? '', /name server/);
  t.deepEqual(splitList('8.8.8.8, 1.1.1.1 9.9.9.9'), ['8.8.8.8', '1.1.1.1', '9.9.9.9']);
});

test('static_ip: the interfaces stanza round-trips', (t) => {
  const text = interfacesFile(s);
  t.regex(
    text,
    /iface eth0 inet static\n {4}address 10\.0\.0\.5\n {4}netmask 255\.255\.255\.0\n {4}network 10\.0\.0\.0\n {4}broadcast 10\.0\.0\.255\n {4}gateway 10\.0\.0\.254\n {4}dns-nameservers 8\.8\.8\.8\n {4}dns-search example\.com/,
  );
  const back = readStatic(text, 'eth0');
  t.deepEqual(back, {
    ip: s.ip,
    netmask: s.netmask,
    gateway: s.gateway,
    dnsNameservers: s.dnsNameservers,
    dnsSearch: s.dnsSearch,
  });
  t.false(interfacesFile({ ...s, dnsNameservers: [], dnsSearch: [] }).includes('dns-'));
});

test('hosts: own name, the core as <host> and api.<host>, other lines kept, old addresses dropped', (t) => {
  const before =
    '127.0.0.1\tlocalhost\n10.0.0.9\tbackup.example\n10.0.0.5\told-name\n10.0.0.1\told-core api.old-core\n';
  const out = renderHosts(before, {
    ip: '10.0.0.5',
    hostname: 'dea1',
    core: { ip: '10.0.0.2', endpoint: 'api.stackato.example.com' },
    forget: ['10.0.0.1'],
  });
  t.is(
    out,
    '127.0.0.1\tlocalhost\n10.0.0.9\tbackup.example\n10.0.0.5\tdea1\n10.0.0.2\tstackato.example.com api.stackato.example.com\n',
  );
  const onCore = renderHosts('', {
    ip: '10.0.0.2',
    hostname: 'stackato.example.com',
    core: { ip: '10.0.0.2', endpoint: 'api.stackato.example.com' },
  });
  t.is(onCore, '127.0.0.1\tlocalhost\n10.0.0.2\tstackato.example.com api.stackato.example.com\n');
  t.is(checkHostname('stackato.example.com'), undefined);
  t.regex(checkHostname('bad_name.example') ?? '', /not a valid hostname/);
  t.regex(checkHostname('-x') ?? '', /not a valid hostname/);
});

test('config trees: typed values, type changes need --force, delete and flat output', (t) => {
  t.is(parseValue('false', false), false);
  t.is(parseValue('25', false), 25);
  t.is(parseValue('nats://10.0.0.1:4222/', false), 'nats://10.0.0.1:4222/');
  t.deepEqual(parseValue('["a", 1]', true), ['a', 1]);
  t.throws(() => parseValue('{oops', true), { instanceOf: KatoError });
  const tree = { prevent_x_spoofing: true, ssl: { key_file_path: '/k' } };
  t.deepEqual(setPath(tree, 'prevent_x_spoofing', false, false), {
    prevent_x_spoofing: false,
    ssl: { key_file_path: '/k' },
  });
  t.throws(() => setPath(tree, 'prevent_x_spoofing', 'no', false), {
    message: /is a boolean; refusing to set a string/,
  });
  t.is(setPath(tree, 'prevent_x_spoofing', 'no', true).prevent_x_spoofing, 'no');
  t.deepEqual(setPath({}, 'a/b/c', 1, false), { a: { b: { c: 1 } } });
  t.is(getPath(tree, 'ssl/key_file_path'), '/k');
  t.is(getPath(tree, 'ssl/nope'), undefined);
  t.deepEqual(deletePath(tree, 'ssl/key_file_path'), { prevent_x_spoofing: true, ssl: {} });
  t.throws(() => deletePath(tree, 'nope'), { message: /no such key/ });
  t.deepEqual(tree, { prevent_x_spoofing: true, ssl: { key_file_path: '/k' } }, 'the input is not changed');
  t.deepEqual(flatten(tree, 'router2g'), ['router2g/prevent_x_spoofing true', 'router2g/ssl/key_file_path /k']);
});

test('the load balancer config: one upstream server per router, TLS on 443, a loop guard', (t) => {
  const conf = nginxConfig({
    routers: ['10.0.0.11', '10.0.0.12'],
    cert: '/c.crt',
    key: '/c.key',
    pidFile: '/run/x.pid',
    logDir: '/s/logs',
    tempDir: '/tmp/n',
  });
  t.deepEqual(routersIn(conf), ['10.0.0.11', '10.0.0.12']);
  t.regex(conf, /listen 443 ssl;\n {4}ssl_certificate \/c\.crt;\n {4}ssl_certificate_key \/c\.key;/);
  t.regex(conf, /proxy_next_upstream error timeout http_502;/);
  t.regex(conf, /pid \/run\/x\.pid;/);
});

test('migrate rewrites IPs in values and keys, not in longer addresses', (t) => {
  const [out, n] = replaceIp(
    { '10.0.0.1': { roles: {} }, mbus: 'nats://10.0.0.1:4222/', other: '10.0.0.12', list: ['10.0.0.1'] },
    '10.0.0.1',
    '10.0.0.50',
  );
  t.deepEqual(out, {
    '10.0.0.50': { roles: {} },
    mbus: 'nats://10.0.0.50:4222/',
    other: '10.0.0.12',
    list: ['10.0.0.50'],
  });
  t.is(n, 3);
});

test('RESP: replies parse incrementally; commands encode as bulk strings', (t) => {
  t.is(encodeCommand(['SET', 'k', 'vé']), '*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\nvé\r\n');
  t.deepEqual(parseReply(Buffer.from('+OK\r\n')), ['OK', 5]);
  t.deepEqual(parseReply(Buffer.from(':1\r\n')), [1, 4]);
  t.deepEqual(parseReply(Buffer.from('$-1\r\n')), [null, 5]);
  t.is(parseReply(Buffer.from('$5\r\nhel')), null);
  t.deepEqual(parseReply(Buffer.from('*2\r\n$1\r\na\r\n:2\r\n')), [['a', 2], 15]);
  const e = parseReply(Buffer.from('-ERR nope\r\n'));
  t.true(e?.[0] instanceof RespError);
});

test('lab layout: the inventory/lab.ini names and addresses, extra nodes are more DEAs', (t) => {
  t.deepEqual(
    planNodes(8).map((n) => `${n.name}=${n.address}`),
    [
      'core1=10.77.0.11',
      'router1=10.77.0.12',
      'router2=10.77.0.13',
      'data1=10.77.0.14',
      'stager1=10.77.0.15',
      'dea1=10.77.0.16',
      'dea2=10.77.0.17',
      'lb1=10.77.0.18',
    ],
  );
  t.deepEqual(
    planNodes(10)
      .slice(8)
      .map((n) => `${n.name}=${n.address}=${n.namespace}`),
    ['dea3=10.77.0.19=sp-dea3', 'dea4=10.77.0.20=sp-dea4'],
  );
  t.is(checkLayout(8, DEFAULT_LAYOUT), undefined);
  t.regex(checkLayout(0, DEFAULT_LAYOUT) ?? '', /whole number/);
  t.regex(checkLayout(8, { ...DEFAULT_LAYOUT, subnet: '10.77' }) ?? '', /three octets/);
  t.regex(checkLayout(8, { ...DEFAULT_LAYOUT, prefix: 'Bad Prefix' }) ?? '', /prefix/);
  // A lab named after the hosts of an inventory, in address order.
  t.deepEqual(
    planNodes(3, DEFAULT_LAYOUT, ['core1', 'ctl1', 'nas1']).map((n) => `${n.name}=${n.address}=${n.namespace}`),
    ['core1=10.77.0.11=sp-core1', 'ctl1=10.77.0.12=sp-ctl1', 'nas1=10.77.0.13=sp-nas1'],
  );
  t.is(checkLayout(2, DEFAULT_LAYOUT, ['core1', 'ctl1']), undefined);
  t.regex(checkLayout(3, DEFAULT_LAYOUT, ['core1', 'ctl1']) ?? '', /2 node names for 3 nodes/);
  t.regex(checkLayout(2, DEFAULT_LAYOUT, ['core1', 'Ctl_1']) ?? '', /node name must be .* got "Ctl_1"/);
  t.regex(checkLayout(2, DEFAULT_LAYOUT, ['dea1', 'dea1']) ?? '', /"dea1" is given twice/);
});
