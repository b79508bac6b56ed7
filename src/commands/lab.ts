// The lab's public API: `stackplay lab up|down|status|stop|reboot` and helpers for integration tests.
//
// How the CLI calls it (src/commands/lab-cli.ts):
//   stackplay lab up [--nodes 8] [--kato-version 3.6.2] [--dir .lab]
//       const state = await labUp({ nodes, katoVersion, dir, log });   // log: progress lines, to stderr
//       out((await labStatus({ dir })).text);
//   stackplay lab status [--dir .lab]   ->  out((await labStatus({ dir })).text)
//   stackplay lab down [--dir .lab]     ->  await labDown({ dir, log })
//   stackplay lab stop NODE... [--dir .lab]    ->  await labStop({ dir, nodes, log }), then the status table
//   stackplay lab reboot NODE... [--dir .lab]  ->  await labReboot({ dir, nodes, log }), then the status table
// Defaults: nodes 8, kato version 3.6.2 (2.10.6 is the other supported one), dir `.lab` (relative to
// the current directory). All of them need Linux and root except labStatus, which also answers
// "no lab" without root. Failures throw LabError (message + hint): print both, exit 1.
//
// Tests: labExec(dir, node, 'kato status --all') runs a command inside a node without ssh;
// test/helpers/lab.ts has withLab(t, { nodes, katoVersion }, fn) that brings a lab up in a temp folder
// and always takes it down.
export { labUp, checkKatoVersion, type LabUpOptions } from '../lab/up.js';
export { labDown, type LabDownOptions } from '../lab/down.js';
export { labReboot, labStop, type LabPowerOptions } from '../lab/power.js';
export { labStatus, type LabStatus, type LabNodeStatus } from '../lab/status.js';
export { labExec, labKato, type LabExecOptions, type LabKatoOptions } from '../lab/exec.js';
export { sshArgs, proxyCommand } from '../lab/files.js';
export { LabError } from '../lab/run.js';
export type { LabState, NodeRecord } from '../lab/state.js';
export { labPaths } from '../lab/state.js';
export { DEFAULT_LAYOUT, NODE_NAMES, planNodes } from '../lab/names.js';

export const LAB_DEFAULTS = { nodes: 8, katoVersion: '3.6.2', dir: '.lab' } as const;
