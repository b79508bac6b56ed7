// The kato emulator's argument handling: commands, options, version differences, usage errors.
import test from 'ava';
import { parseArgs, usageFor, type Parsed } from '../../src/lab/kato/args.js';
import { COMMANDS } from '../../src/lab/kato/commands.js';
import { KatoError } from '../../src/lab/kato/errors.js';
import { flavorOf } from '../../src/lab/kato/flavor.js';

const v3 = flavorOf('3.6.2');
const v2 = flavorOf('2.10.6');
const parse = (line: string, f = v3): Parsed => parseArgs(line.split(' ').filter(Boolean), COMMANDS, f);
const refuse = (t: import('ava').ExecutionContext, line: string, f = v3): KatoError => {
  const e = t.throws(() => parse(line, f), { instanceOf: KatoError });
  return e as KatoError;
};

test('the longest command prefix wins, the rest are options and arguments', (t) => {
  const p = parse('node setup core api.example.com');
  t.deepEqual(p.spec.words, ['node', 'setup', 'core']);
  t.deepEqual(p.args, ['api.example.com']);
  const lb = parse('node setup load_balancer 10.0.0.2 10.0.0.3 --force');
  t.deepEqual(lb.args, ['10.0.0.2', '10.0.0.3']);
  t.true(lb.opts.force);
});

test('option values: -e ROLES, --enable=ROLES, --ip=, --ip VALUE', (t) => {
  t.is(parse('node attach -e dea,router 10.0.0.1').opts.enable, 'dea,router');
  t.is(parse('node attach --enable=dea 10.0.0.1').opts.enable, 'dea');
  t.is(parse('node attach -edea 10.0.0.1').opts.enable, 'dea');
  const s = parse('op static_ip --ip=10.0.0.5 --netmask 255.255.255.0 --dns-nameservers= --restart-network');
  t.deepEqual(s.opts, { ip: '10.0.0.5', netmask: '255.255.255.0', 'dns-nameservers': '', 'restart-network': true });
});

test('--all-but and --only are flags over positional roles (2.8+ syntax)', (t) => {
  const p = parse('role add --all-but mdns dea');
  t.true(p.opts['all-but']);
  t.deepEqual(p.args, ['mdns', 'dea']);
  t.deepEqual(parse('role add --only router').args, ['router']);
});

test('unknown commands and options are refused with a did-you-mean hint', (t) => {
  t.is(refuse(t, 'node atach 10.0.0.1').hint, 'did you mean "attach"?');
  t.is(refuse(t, 'staus').hint, 'did you mean "status"?');
  const e = refuse(t, 'node attach --enabel dea 10.0.0.1');
  t.regex(e.message, /unknown option --enabel/);
  t.is(e.hint, 'did you mean "--enable"?');
  t.regex(e.usage ?? '', /kato node attach/);
});

test('missing and surplus arguments are usage errors', (t) => {
  t.regex(refuse(t, 'node attach').message, /missing argument/);
  t.regex(refuse(t, 'node attach 10.0.0.1 10.0.0.2').message, /unexpected argument "10.0.0.2"/);
  t.regex(refuse(t, 'node migrate 10.0.0.1').message, /missing argument/);
  t.regex(refuse(t, 'node').message, /incomplete command: kato node/);
  t.regex(refuse(t, '').message, /no command given/);
  t.regex(refuse(t, 'version --json').message, /unknown option --json/);
  t.regex(refuse(t, 'node attach -e 10.0.0.1').message, /missing argument/);
});

test('2.10 lacks the 3.x commands and options; 3.x lacks the 2.x ones', (t) => {
  refuse(t, 'node detach', v2);
  refuse(t, 'node reattach 10.0.0.1', v2);
  t.regex(refuse(t, 'node attach -f 10.0.0.1', v2).message, /unknown option -f/);
  t.regex(refuse(t, 'op static_ip --ip=10.0.0.5', v2).message, /unknown option --ip/);
  t.regex(refuse(t, 'node remove --skip-detach 10.0.0.2', v2).message, /unknown option --skip-detach/);
  t.true(parse('role remove --no-stop dea', v2).opts['no-stop']);
  refuse(t, 'role remove --no-stop dea', v3);
  t.true(parse('stop -a', v2).opts.all);
  refuse(t, 'stop -a', v3);
  t.true(parse('node detach -s').opts.start);
  t.true(parse('process list -c').opts.cluster);
  t.true(parse('process list -a', v2).opts.all);
  t.true(parse('node remove 10.0.0.2 10.0.0.3 --skip-detach').opts['skip-detach']);
});

test('node reattach exists from 3.6 on, static_ip flags from 3.2 on', (t) => {
  refuse(t, 'node reattach 10.0.0.1', flavorOf('3.4.2'));
  t.notThrows(() => parse('op static_ip --ip=10.0.0.5', flavorOf('3.2.1')));
  refuse(t, 'op static_ip --ip=10.0.0.5', flavorOf('3.0.1'));
});

test('usage lines leave out options the version does not have', (t) => {
  const attach = COMMANDS.find((c) => c.words.join(' ') === 'node attach')!;
  t.true(usageFor(attach, v3).includes('[-f|--force]'));
  t.false(usageFor(attach, v2).includes('--force'));
  const staticIp = COMMANDS.find((c) => c.words.join(' ') === 'op static_ip')!;
  t.is(usageFor(staticIp, v2), 'op static_ip');
});

test('-- ends the options', (t) => {
  t.deepEqual(parse('config set router2g key -- -5').args, ['router2g', 'key', '-5']);
});
