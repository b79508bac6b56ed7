// `stackplay inventory`: list or graph any inventory that parses; topology problems are shown as warnings (run and migrate stop on them).
import type { Command } from 'commander';
import { loadInventories } from '../inventory/load.js';
import { validateTopology } from '../inventory/topology.js';
import { renderInventoryGraph, renderInventoryList } from './inventory.js';
import { type Diagnostic, formatDiagnostic, InputError, UsageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';

interface Flags {
  inventory: string[];
  list?: boolean;
  graph?: boolean;
  json?: boolean;
}

/** A topology error as the inventory command shows it: a warning, since the listing is still right. */
const asWarning = (d: Diagnostic): Diagnostic => ({
  ...d,
  severity: 'warning',
  message: `${d.message} (run and migrate refuse this inventory)`,
});

export function inventoryCommand(program: Command, out: (s: string) => void, err: (s: string) => void): void {
  program
    .command('inventory')
    .description('show hosts, groups, roles and phases; warns about cluster topology problems')
    .option('-i, --inventory <file>', 'inventory file; repeat to merge', (v: string, p: string[]) => [...p, v], [])
    .option('--list', 'hosts with their groups and merged vars')
    .option('--graph', "the group tree with each host's roles and phase")
    .option('--json', 'JSON output (with --list)')
    .action((f: Flags) => {
      if (f.inventory.length === 0) throw new UsageError('no inventory given', 'pass one or more with -i INVENTORY');
      const { inventory, diagnostics } = loadInventories(f.inventory);
      // Only an inventory that does not parse stops the listing; a cluster shape problem is a warning here.
      if (diagnostics.some((d) => d.severity === 'error')) throw new InputError(diagnostics);
      for (const d of [...diagnostics, ...validateTopology(inventory).map(asWarning)]) err(`${formatDiagnostic(d)}\n`);
      out(
        `${f.graph ? renderInventoryGraph(inventory) : renderInventoryList(inventory, { json: !!f.json || !f.list })}\n`,
      );
      process.exitCode = ExitCode.ok;
    });
}
