// The kato commands the lab emulates, with their options per version (reference/kato.md section 2).
import type { CommandSpec, OptSpec } from './args.js';

const verbose: OptSpec = { long: 'verbose', short: 'v' };
const json: OptSpec = { long: 'json', short: 'j' };
const yaml: OptSpec = { long: 'yaml', short: 'y' };
const node: OptSpec = { long: 'node', short: 'n', value: true };
const cmd = (
  words: string,
  usage: string,
  opts: OptSpec[],
  min = 0,
  max = 0,
  when?: CommandSpec['when'],
): CommandSpec => ({ words: words.split(' '), usage, opts, min, max, ...(when ? { when } : {}) });
const MANY = 1000;

export const COMMANDS: CommandSpec[] = [
  cmd('version', 'version', [verbose]),
  cmd('info', 'info [-n <node-IP>] [-j|--json] [-y|--yaml]', [node, json, yaml]),
  cmd('status', 'status [-a|--all] [-j|--json] [-y|--yaml]', [{ long: 'all', short: 'a' }, json, yaml, verbose]),
  cmd('node list', 'node list [-j|--json] [-y|--yaml]', [json, yaml]),
  cmd('node setup core', 'node setup core [<endpoint>]', [verbose], 0, 1),
  cmd(
    'node setup load_balancer',
    'node setup load_balancer [<IP>...] [--force]',
    [verbose, { long: 'force', short: 'f', series: '3.x' }],
    0,
    MANY,
  ),
  cmd(
    'node attach',
    'node attach [-e <roles>] [-s|--no-start] [-f|--force] [-v] <core-ip>',
    [
      { long: 'enable', short: 'e', value: true },
      { long: 'no-start', short: 's' },
      { long: 'force', short: 'f', series: '3.x' },
      verbose,
    ],
    1,
    1,
  ),
  cmd('node reattach', 'node reattach <core-ip>', [verbose], 1, 1, (f) => f.reattach),
  cmd('node detach', 'node detach [-s|--start] [-v]', [{ long: 'start', short: 's' }, verbose], 0, 0, (f) => f.v3),
  cmd('node retire', 'node retire [-n <node-id>] [-v]', [node, verbose], 0, 0, (f) => f.v3),
  cmd(
    'node remove',
    'node remove [-s|--skip-detach] <node-IP>...',
    [{ long: 'skip-detach', short: 's', when: (f) => f.multiRemove }, verbose],
    1,
    MANY,
  ),
  cmd(
    'node rename',
    'node rename <hostname> [-s|--skip-remap-hosts] [-l|--skip-ssl-regeneration] [-r|--no-restart] [-v]',
    [
      { long: 'skip-remap-hosts', short: 's' },
      { long: 'skip-ssl-regeneration', short: 'l', series: '3.x' },
      { long: 'no-restart', short: 'r' },
      verbose,
    ],
    1,
    1,
  ),
  cmd(
    'node migrate',
    'node migrate <old-node-IP> <new-node-IP> [-r|--no-restart]',
    [{ long: 'no-restart', short: 'r', series: '3.x' }, verbose],
    2,
    2,
  ),
  cmd(
    'role add',
    'role add [-v] [-n <IP>] [-s|--no-start] (<role>... | --all | --all-but <role>... | --only <role>...)',
    [verbose, node, { long: 'no-start', short: 's' }, { long: 'all' }, { long: 'all-but' }, { long: 'only' }],
    0,
    MANY,
  ),
  cmd(
    'role remove',
    'role remove [-v] [-n <IP>] (<role>... | --all | --all-but <role>...)',
    [verbose, node, { long: 'all' }, { long: 'all-but' }, { long: 'only' }, { long: 'no-stop', series: '2.x' }],
    0,
    MANY,
  ),
  cmd('role list', 'role list', [json, yaml]),
  cmd(
    'op static_ip',
    'op static_ip [--interface=<if> --ip=<ip> --netmask=<mask> --gateway=<gw> --dns-nameservers=<list> --dns-search-domains=<list>] [--restart-network] [--no-restart]',
    [
      ...['interface', 'ip', 'netmask', 'gateway', 'dns-nameservers', 'dns-search-domains'].map((long) => ({
        long,
        value: true,
        when: (f: { staticIpFlags: boolean }) => f.staticIpFlags,
      })),
      { long: 'restart-network', when: (f) => f.staticIpFlags },
      { long: 'no-restart', when: (f) => f.staticIpFlags },
      verbose,
    ],
  ),
  ...(['start', 'stop', 'restart'] as const).map((w) =>
    cmd(
      w,
      `${w} [-n <node-IP>] [-v] [<role>...]`,
      [
        node,
        verbose,
        ...(w === 'start'
          ? [{ long: 'ephemeral', short: 'e' }]
          : [{ long: 'all', short: 'a', series: '2.x' as const }]),
      ],
      0,
      MANY,
    ),
  ),
  cmd(
    'process list',
    'process list [-c|--cluster] [-j] [-y] [<process>...]',
    [{ long: 'cluster', short: 'c', series: '3.x' }, { long: 'all', short: 'a', series: '2.x' }, json, yaml, node],
    0,
    MANY,
  ),
  cmd(
    'process ready',
    'process ready [--block <seconds>] (all | <process>...)',
    [{ long: 'block', short: 'b', value: true }],
    1,
    MANY,
  ),
  cmd(
    'config get',
    'config get [-j] [-y] [-f|--flat] [<component>] [<key-path>]',
    [json, yaml, { long: 'flat', short: 'f' }, { long: 'node', short: 'n', value: true, series: '2.x' }],
    0,
    2,
  ),
  cmd(
    'config set',
    'config set [-j] [--force] <component> <key-path> [<value>]',
    [json, { long: 'force' }, { long: 'node', short: 'n', value: true, series: '2.x' }],
    2,
    3,
  ),
  cmd('config del', 'config del <component> <key-path>', [], 2, 2),
  cmd('config push', 'config push [-j] <component> <key-path> <value>', [json], 3, 3),
  cmd('config pop', 'config pop [-j] <component> <key-path> <value>', [json], 3, 3),
  cmd('help', 'help [<command>...]', [], 0, MANY),
];
