// `stackplay migrate`: rolling Core IP change (see src/migrate/migrate.ts).
import type { Command } from 'commander';
import { migrate } from '../migrate/migrate.js';
import {
  addCommonOptions,
  checkCommon,
  connectorOf,
  countOrPercent,
  type CommonFlags,
  type OutputMode,
} from './common-options.js';
import { handleInterrupts } from './interrupt.js';
import { UsageError } from '../errors.js';
import type { Reporter } from '../report/events.js';

interface Flags extends CommonFlags {
  newCoreIp: string;
  oldCoreIp?: string;
  check?: boolean;
  batch: string;
  maxFail: string;
  resume?: boolean;
  skipUnattached?: boolean;
  breakLock?: boolean;
}

const IPV4 = /^((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/** An IPv4 address, as the option named. */
const ipv4 = (name: string) => (v: string) => {
  if (!IPV4.test(v)) throw new UsageError(`${name} must be an IPv4 address, got "${v}"`);
  return v;
};

export function migrateCommand(
  program: Command,
  pickReporter: (mode?: OutputMode) => { report: Reporter; done(): Promise<void> },
  say: (text: string) => void,
): void {
  const cmd = program
    .command('migrate')
    .description('move the cluster to a new core IP: the core first, then every node in phase order, in batches');
  addCommonOptions(cmd, 'nodes in parallel within a batch')
    .requiredOption('--new-core-ip <ip>', "the core's new address", ipv4('--new-core-ip'))
    .option('--old-core-ip <ip>', "the core's current address (default: its ansible_host)", ipv4('--old-core-ip'))
    .option('-C, --check', 'print the plan per batch and node; change nothing')
    .option('--batch <n>', 'nodes per batch: N or N%', countOrPercent('--batch', 1), '1')
    .option(
      '--max-fail <n>',
      'failed or unreachable nodes tolerated before stopping: N or N%',
      countOrPercent('--max-fail', 0),
      '0',
    )
    .option('--resume', 'continue a migration from its progress file')
    .option(
      '--skip-unattached',
      'leave nodes that are not attached to the old core alone (reported) instead of refusing to start',
    )
    .option('--break-lock', 'remove a stale cluster lock left on the core node by a run that is gone')
    .action(async (f: Flags) => {
      checkCommon(f);
      const interrupts = handleInterrupts(say);
      const r = pickReporter(f.output);
      try {
        const code = await migrate(
          {
            inventories: f.inventory,
            newCoreIp: f.newCoreIp,
            check: !!f.check,
            batch: f.batch,
            maxFail: f.maxFail,
            resume: !!f.resume,
            skipUnattached: !!f.skipUnattached,
            breakLock: !!f.breakLock,
            forks: f.forks,
            signal: interrupts.signal,
            ...(process.env.STACKPLAY_STATE_DIR ? { stateDir: process.env.STACKPLAY_STATE_DIR } : {}),
            connector: connectorOf(f, interrupts.signal, (message) => r.report({ type: 'warning', message })),
            ...(f.oldCoreIp ? { oldCoreIp: f.oldCoreIp } : {}),
          },
          r.report,
        );
        await r.done();
        process.exitCode = interrupts.exitCode(code);
      } finally {
        interrupts.dispose();
      }
    });
}
