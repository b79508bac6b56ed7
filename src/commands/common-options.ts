// The options `run` and `migrate` share, built and checked in one place, and the connector they give.
import { type Command, Option } from 'commander';
import { UsageError } from '../errors.js';
import { sshConnector } from '../engine/ssh-connector.js';
import type { Connector } from '../engine/types.js';
import type { HostKeyChecking } from '../transport/connection.js';

export type OutputMode = 'tree' | 'plain' | 'json';

export interface CommonFlags {
  inventory: string[];
  forks: number;
  output?: OutputMode;
  hostKeyChecking: HostKeyChecking;
  knownHosts?: string;
  timeout?: number;
}

/** A whole number in [min, max]; anything else is exit 5 naming the option. */
export function wholeNumber(name: string, min: number, max: number): (v: string) => number {
  return (v: string) => {
    const n = Number(v);
    if (!/^\s*\d+\s*$/.test(v) || !Number.isSafeInteger(n) || n < min || n > max)
      throw new UsageError(`${name} must be a whole number from ${min} to ${max}, got "${v}"`);
    return n;
  };
}

/** "N" or "N%": a count from `min` up, or a percentage up to 100. */
export function countOrPercent(name: string, min: number): (v: string) => string {
  return (v: string) => {
    const m = /^(\d+)(%?)$/.exec(v.trim());
    const n = m ? Number(m[1]) : Number.NaN;
    const ok = m && Number.isSafeInteger(n) && n >= min && (m[2] === '' || n <= 100);
    if (!ok) throw new UsageError(`${name} must be N or N% (${min} or more, at most 100%), got "${v}"`);
    return v.trim();
  };
}

const collect = (v: string, prev: string[]) => [...prev, v];

/** Upper bounds: above them a value is a typo, and a timer would overflow (Node caps timers at ~24 days). */
export const MAX_FORKS = 1000;
export const MAX_TIMEOUT_SEC = 86_400;

/** Adds -i, -f, --output, --host-key-checking, --known-hosts and --timeout to `cmd`. */
export function addCommonOptions(cmd: Command, forksHelp: string): Command {
  return cmd
    .option('-i, --inventory <file>', 'inventory file (INI or YAML); repeat to merge', collect, [])
    .option(`-f, --forks <n>`, `${forksHelp} (1-${MAX_FORKS})`, wholeNumber('--forks', 1, MAX_FORKS), 20)
    .addOption(
      new Option('--output <mode>', 'output mode (default: tree on a terminal, plain otherwise)').choices([
        'tree',
        'plain',
        'json',
      ]),
    )
    .addOption(
      new Option('--host-key-checking <mode>', 'host key policy')
        .choices(['strict', 'accept-new', 'off'])
        .default('strict'),
    )
    .option('--known-hosts <file>', 'extra known_hosts file (accept-new records keys here)')
    .option(
      '--timeout <seconds>',
      `connection timeout (default 10, at most ${MAX_TIMEOUT_SEC})`,
      wholeNumber('--timeout', 1, MAX_TIMEOUT_SEC),
    );
}

/** Checks what commander cannot: an inventory was given. */
export function checkCommon(f: CommonFlags): void {
  if (f.inventory.length === 0) throw new UsageError('no inventory given', 'pass one or more with -i INVENTORY');
}

/** The SSH pool with the run's host-key policy, known-hosts file and connect timeout. */
export function connectorOf(f: CommonFlags, signal: AbortSignal, notice?: (message: string) => void): Connector {
  return sshConnector({
    hostKeyChecking: f.hostKeyChecking,
    signal,
    ...(notice ? { notice } : {}),
    ...(f.knownHosts ? { knownHostsFile: f.knownHosts } : {}),
    ...(f.timeout ? { timeoutSec: f.timeout } : {}),
  });
}
