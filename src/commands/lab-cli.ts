// `stackplay lab up|down|status|stop|reboot`: the local rehearsal cluster.
import type { Command } from 'commander';
import { labUp, labDown, labReboot, labStatus, labStop } from './lab.js';
import { UsageError } from '../errors.js';

interface Flags {
  nodes?: string;
  names?: string;
  katoVersion: string;
  dir: string;
}

export function labCommand(program: Command, out: (s: string) => void, err: (s: string) => void): void {
  const lab = program
    .command('lab')
    .description('local rehearsal cluster of SSH nodes in network namespaces (Linux, root)');
  const common = (c: Command) => c.option('--dir <dir>', 'lab state folder', '.lab');
  const log = (line: string) => err(`${line}\n`);
  common(lab.command('up').description('create or repair the lab'))
    .option('--nodes <n>', 'number of nodes (default 8)')
    .option('--names <list>', 'node names, comma-separated, in address order (e.g. the hosts of your inventory)')
    .option('--kato-version <v>', 'kato version the nodes emulate (2.10.6 or 3.6.2)', '3.6.2')
    .action(async (f: Flags) => {
      const names = f.names?.split(',').map((n) => n.trim());
      const nodes = Number(f.nodes ?? names?.length ?? 8);
      if (!Number.isInteger(nodes) || nodes < 1 || nodes > 200)
        throw new UsageError(`--nodes must be a whole number from 1 to 200, got "${f.nodes}"`);
      if (names && nodes !== names.length)
        throw new UsageError(
          `--nodes ${nodes} but ${names.length} --names`,
          'give one of them, or as many names as nodes',
        );
      await labUp({ nodes, katoVersion: f.katoVersion, dir: f.dir, log, ...(names ? { names } : {}) });
      out(`${(await labStatus({ dir: f.dir })).text}\n`);
    });
  common(lab.command('down').description('remove every namespace, link, mount, process and file of the lab')).action(
    async (f: Flags) => {
      await labDown({ dir: f.dir, log });
    },
  );
  common(lab.command('status').description('list lab nodes and their health')).action(async (f: Flags) => {
    out(`${(await labStatus({ dir: f.dir })).text}\n`);
  });
  const power = (verb: 'stop' | 'reboot', what: string, act: typeof labStop) =>
    common(lab.command(verb).description(what))
      .argument('[node...]', 'node names, e.g. dea1 router2')
      .action(async (nodes: string[], f: Flags) => {
        if (nodes.length === 0)
          throw new UsageError(
            `lab ${verb} needs one or more node names`,
            `e.g. stackplay lab ${verb} dea1; \`stackplay lab status\` lists them`,
          );
        await act({ dir: f.dir, nodes, log });
        out(`${(await labStatus({ dir: f.dir })).text}\n`);
      });
  power('stop', 'power nodes off (every process ends; network and files stay)', labStop);
  power('reboot', 'power nodes off and on again (same host key; kato start if set up)', labReboot);
}
