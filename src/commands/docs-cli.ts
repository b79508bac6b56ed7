// `stackplay modules [NAME]` and `stackplay schema`: docs generated from the modules' schemas.
import type { Command } from 'commander';
import { modules } from '../../modules/index.js';
import { renderModuleDoc, renderModuleList } from './modules.js';
import { playbookJsonSchema } from './schema.js';
import { UsageError } from '../errors.js';
import { didYouMean } from '../suggest.js';

export function modulesCommand(program: Command, out: (s: string) => void): void {
  program
    .command('modules')
    .description("list modules, or show one module's documentation")
    .argument('[name]', 'module name')
    .action((name?: string) => {
      if (!name) return out(`${renderModuleList(modules)}\n`);
      const m = modules.get(name);
      if (!m)
        throw new UsageError(
          `unknown module "${name}"`,
          didYouMean(name, modules.keys()) ?? 'run `stackplay modules` for the list',
        );
      out(`${renderModuleDoc(m)}\n`);
    });
}

export function schemaCommand(program: Command, out: (s: string) => void): void {
  program
    .command('schema')
    .description('print the JSON Schema of playbooks (for editors)')
    .action(() => out(`${JSON.stringify(playbookJsonSchema(modules), null, 2)}\n`));
}
