// `stackplay inventory`: list or graph the inventory after validating it.
import type { Command } from 'commander';
import { loadInventories } from '../inventory/load.js';
import { validateTopology } from '../inventory/topology.js';
import { renderInventoryGraph, renderInventoryList } from './inventory.js';
import { InputError, UsageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';

interface Flags {
  inventory: string[];
  list?: boolean;
  graph?: boolean;
  json?: boolean;
}

export function inventoryCommand(program: Command, out: (s: string) => void): void {
  program
    .command('inventory')
    .description('show hosts, groups, roles and phases; validates the topology')
    .option('-i, --inventory <file>', 'inventory file; repeat to merge', (v: string, p: string[]) => [...p, v], [])
    .option('--list', 'hosts with their groups and merged vars')
    .option('--graph', "the group tree with each host's roles and phase")
    .option('--json', 'JSON output (with --list)')
    .action((f: Flags) => {
      if (f.inventory.length === 0) throw new UsageError('no inventory given', 'pass one or more with -i INVENTORY');
      const { inventory, diagnostics } = loadInventories(f.inventory);
      const all = [...diagnostics];
      if (!diagnostics.some((d) => d.severity === 'error')) all.push(...validateTopology(inventory));
      if (all.some((d) => d.severity === 'error')) throw new InputError(all);
      out(
        `${f.graph ? renderInventoryGraph(inventory) : renderInventoryList(inventory, { json: !!f.json || !f.list })}\n`,
      );
      process.exitCode = ExitCode.ok;
    });
}
