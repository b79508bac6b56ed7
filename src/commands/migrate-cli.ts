// `stackplay migrate`: rolling Core IP change (see src/migrate/migrate.ts).
import type { Command } from 'commander';
import { migrate } from '../migrate/migrate.js';
import { sshConnector } from '../engine/ssh-connector.js';
import { UsageError } from '../errors.js';
import type { Reporter } from '../report/events.js';

interface Flags {
  inventory: string[];
  newCoreIp: string;
  oldCoreIp?: string;
  check?: boolean;
  batch: string;
  maxFail: string;
  resume?: boolean;
  breakLock?: boolean;
  forks: string;
  hostKeyChecking: 'strict' | 'accept-new' | 'off';
  output?: 'tree' | 'plain' | 'json';
}

const IPV4 = /^((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const COUNT = /^\d+%?$/;

export function migrateCommand(
  program: Command,
  pickReporter: (mode?: 'tree' | 'plain' | 'json') => { report: Reporter; done(): Promise<void> },
): void {
  program
    .command('migrate')
    .description('move the cluster to a new core IP: the core first, then every node in phase order, in batches')
    .option('-i, --inventory <file>', 'inventory file; repeat to merge', (v: string, p: string[]) => [...p, v], [])
    .requiredOption('--new-core-ip <ip>', "the core's new address")
    .option('--old-core-ip <ip>', "the core's current address (default: its ansible_host)")
    .option('-C, --check', 'print the plan per batch and node; change nothing')
    .option('--batch <n>', 'nodes per batch: N or N%', '1')
    .option('--max-fail <n>', 'failed or unreachable nodes tolerated before stopping: N or N%', '0')
    .option('--resume', 'continue a migration from its progress file')
    .option('--break-lock', 'remove a stale cluster lock left on the core node by a run that is gone')
    .option('-f, --forks <n>', 'nodes in parallel within a batch', '20')
    .option('--host-key-checking <mode>', 'strict, accept-new or off', 'strict')
    .option('--output <mode>', 'tree, plain or json (default: tree on a terminal, plain otherwise)')
    .action(async (f: Flags) => {
      if (f.inventory.length === 0) throw new UsageError('no inventory given', 'pass one or more with -i INVENTORY');
      if (!IPV4.test(f.newCoreIp)) throw new UsageError(`--new-core-ip must be an IPv4 address, got "${f.newCoreIp}"`);
      if (f.oldCoreIp && !IPV4.test(f.oldCoreIp))
        throw new UsageError(`--old-core-ip must be an IPv4 address, got "${f.oldCoreIp}"`);
      if (!COUNT.test(f.batch) || f.batch === '0' || f.batch === '0%')
        throw new UsageError(`--batch must be N or N% (more than 0), got "${f.batch}"`);
      if (!COUNT.test(f.maxFail)) throw new UsageError(`--max-fail must be N or N%, got "${f.maxFail}"`);
      const forks = Number(f.forks);
      if (!Number.isInteger(forks) || forks < 1)
        throw new UsageError(`--forks must be a positive whole number, got "${f.forks}"`);
      if (!['strict', 'accept-new', 'off'].includes(f.hostKeyChecking))
        throw new UsageError(`--host-key-checking must be strict, accept-new or off`);
      if (f.output && !['tree', 'plain', 'json'].includes(f.output))
        throw new UsageError(`--output must be tree, plain or json, got "${f.output}"`);
      const abort = new AbortController();
      const onSigint = () => abort.abort();
      process.once('SIGINT', onSigint);
      const r = pickReporter(f.output);
      try {
        process.exitCode = await migrate(
          {
            inventories: f.inventory,
            newCoreIp: f.newCoreIp,
            check: !!f.check,
            batch: f.batch,
            maxFail: f.maxFail,
            resume: !!f.resume,
            breakLock: !!f.breakLock,
            forks,
            signal: abort.signal,
            ...(process.env.STACKPLAY_STATE_DIR ? { stateDir: process.env.STACKPLAY_STATE_DIR } : {}),
            connector: sshConnector({ hostKeyChecking: f.hostKeyChecking, signal: abort.signal }),
            ...(f.oldCoreIp ? { oldCoreIp: f.oldCoreIp } : {}),
          },
          r.report,
        );
        await r.done();
      } finally {
        process.off('SIGINT', onSigint);
      }
    });
}
