// The command line: parses options, picks a renderer, and is the only place that exits the process.
import { Command, CommanderError } from 'commander';
import { runPlaybook, loadForRun } from './run.js';
import { ExitCode } from './exit-codes.js';
import { UsageError, InputError, StackplayError, formatDiagnostic, type Diagnostic } from './errors.js';
import { plainReporter } from './report/plain.js';
import { jsonReporter } from './report/json.js';
import { treeReporter } from './report/tree.js';
import type { Reporter } from './report/events.js';
import { maskOutput } from './report/redact.js';
import { coalesced } from './report/coalesced-output.js';
import { listHosts, listTasks, syntaxOk } from './commands/listing.js';
import { addCommonOptions, checkCommon, connectorOf, type CommonFlags } from './commands/common-options.js';
import { handleInterrupts } from './commands/interrupt.js';
import { inventoryCommand } from './commands/inventory-cli.js';
import { modulesCommand, schemaCommand } from './commands/docs-cli.js';
import { labCommand } from './commands/lab-cli.js';
import { migrateCommand } from './commands/migrate-cli.js';

// Every byte the CLI prints passes the secret mask (values registered as inputs are read). Event lines (json and
// plain output) go out once per turn of the event loop; any other write sends them first, so the order holds.
const events = coalesced((text) => process.stdout.write(text));
process.on('exit', () => events.flush());
const outEvents = (text: string) => {
  events.write(maskOutput(text));
};
const out = (text: string) => {
  events.flush();
  process.stdout.write(maskOutput(text));
};
const err = (text: string) => {
  events.flush();
  process.stderr.write(maskOutput(text));
};

const collect = (v: string, prev: string[]) => [...prev, v];
const splitList = (v: string, prev: string[]) => [
  ...prev,
  ...v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
];

function printDiagnostics(ds: Diagnostic[]): void {
  for (const d of ds) err(`${formatDiagnostic(d)}\n`);
}

interface RunFlags extends CommonFlags {
  check?: boolean;
  diff?: boolean;
  limit?: string;
  tags: string[];
  skipTags: string[];
  extraVars: string[];
  syntaxCheck?: boolean;
  listHosts?: boolean;
  listTasks?: boolean;
  breakLock?: boolean;
}

/** The renderer for an output mode; diagnostics go to stderr in human modes so stdout stays the run's own. */
function humanReporter(mode: 'tree' | 'plain' | 'json'): { report: Reporter; done(): Promise<void> } {
  const tree = mode === 'tree' ? treeReporter(out) : undefined;
  // The tree's rows are drawn by listr2 straight to the terminal: its own lines must not wait behind them.
  const base: Reporter = tree?.report ?? (mode === 'json' ? jsonReporter(outEvents) : plainReporter(outEvents));
  const report: Reporter = (e) =>
    e.type === 'diagnostics' && mode !== 'json' ? printDiagnostics(e.diagnostics) : base(e);
  return { report, done: () => tree?.done() ?? Promise.resolve() };
}

async function runAction(playbook: string, f: RunFlags): Promise<number> {
  checkCommon(f);
  if (f.syntaxCheck || f.listHosts || f.listTasks) {
    const { loaded, diagnostics } = loadForRun(
      {
        playbook,
        inventories: f.inventory,
        extraVars: f.extraVars,
        ...(f.limit !== undefined ? { limit: f.limit } : {}),
      },
      { connections: false },
    );
    printDiagnostics(diagnostics);
    if (!loaded) return ExitCode.invalidInput;
    if (f.syntaxCheck) out(`${syntaxOk(playbook)}\n`);
    if (f.listHosts) out(`${listHosts(loaded, f.limit)}\n`);
    if (f.listTasks) out(`${listTasks(loaded, f.tags, f.skipTags)}\n`);
    return ExitCode.ok;
  }
  const { report, done } = humanReporter(f.output ?? (process.stdout.isTTY ? 'tree' : 'plain'));
  const interrupts = handleInterrupts(err);
  try {
    const code = await runPlaybook(
      {
        playbook,
        inventories: f.inventory,
        check: !!f.check,
        diff: !!f.diff,
        tags: f.tags,
        skipTags: f.skipTags,
        forks: f.forks,
        extraVars: f.extraVars,
        signal: interrupts.signal,
        breakLock: !!f.breakLock,
        connector: connectorOf(f, interrupts.signal, (message) => report({ type: 'warning', message })),
        ...(f.limit ? { limit: f.limit } : {}),
      },
      report,
    );
    await done();
    return interrupts.exitCode(code);
  } finally {
    interrupts.dispose();
  }
}

/** Commander's own errors ("error: unknown option ...", "(Did you mean run?)") as one E_USAGE diagnostic with a hint. */
function usageText(text: string): string {
  const [first = '', ...rest] = text.trim().split('\n');
  const suggestion = /^\(Did you mean (.+)\?\)$/.exec(rest.join(' ').trim())?.[1];
  const hint = suggestion ? `did you mean ${suggestion}?` : 'see `stackplay --help` and `stackplay COMMAND --help`';
  return `error[E_USAGE] ${first.replace(/^error: /, '')}\n  hint: ${hint}\n`;
}

export function buildProgram(): Command {
  const program = new Command('stackplay')
    .description('Declarative playbooks that build and operate Stackato clusters over SSH')
    .version('0.1.0')
    .exitOverride()
    .configureOutput({ writeOut: out, writeErr: err, outputError: (text) => err(usageText(text)) });

  const run = program
    .command('run')
    .description('run a playbook against an inventory')
    .argument('<playbook>', 'playbook YAML file');
  addCommonOptions(run, 'hosts in parallel')
    .option('-C, --check', 'show what would change; change nothing')
    .option('-D, --diff', 'show file changes as unified diffs')
    .option('-l, --limit <pattern>', 'further limit the hosts (pattern)')
    .option('-t, --tags <tags>', 'only tasks with these tags', splitList, [])
    .option('--skip-tags <tags>', 'skip tasks with these tags', splitList, [])
    .option('-e, --extra-vars <vars>', 'k=v pairs, JSON, or @file.yml; repeatable', collect, [])
    .option('--syntax-check', 'check the playbook and inventory, run nothing')
    .option('--list-hosts', 'list the hosts each play would run on')
    .option('--list-tasks', 'list the tasks each play would run')
    .option('--break-lock', 'remove a stale cluster lock left on the core node by a run that is gone')
    .action(async (playbook: string, f: RunFlags) => {
      process.exitCode = await runAction(playbook, f);
    });

  inventoryCommand(program, out, err);
  modulesCommand(program, out);
  schemaCommand(program, out);
  labCommand(program, out, err);
  migrateCommand(program, (mode) => humanReporter(mode ?? (process.stdout.isTTY ? 'tree' : 'plain')), err);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return Number(process.exitCode ?? 0);
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help')
        return ExitCode.ok;
      return ExitCode.badOptions;
    }
    if (e instanceof UsageError) {
      err(
        `error[E_USAGE] ${e.message}\n  hint: ${e.hint ?? 'see `stackplay --help` and `stackplay COMMAND --help`'}\n`,
      );
      return ExitCode.badOptions;
    }
    if (e instanceof InputError) {
      printDiagnostics(e.diagnostics);
      return ExitCode.invalidInput;
    }
    if (e instanceof StackplayError) {
      // A known failure outside any host (the lab could not be built, a lock is held): no stack, no "bug".
      const hint = (e as StackplayError & { hint?: string }).hint;
      err(`error[${e.code}] ${e.message}\n${hint ? `  hint: ${hint}\n` : ''}`);
      return ExitCode.internal;
    }
    err(
      `internal error: ${(e as Error).stack ?? String(e)}\nThis is a bug in stackplay; please report it with the command you ran.\n`,
    );
    return ExitCode.internal;
  }
}

// Run directly (`npm run stackplay`); no top-level await, so the bundle can be CommonJS (bin/code-cache.js).
if (import.meta.url === `file://${process.argv[1]}` || process.env.STACKPLAY_CLI === '1') {
  void main(process.argv).then((code) => {
    process.exitCode = code;
  });
}
