// Running a shell command inside a lab node (its network, UTS and mount namespaces) from the host.
import { enterArgs, nodeEnv } from './holder.js';
import { isAlive } from './proc.js';
import { LabError, run, type RunResult } from './run.js';
import { readState } from './state.js';
import { DEFAULT_STACKATO_PASSWORD, STACKATO_USER } from './users.js';
import { quote } from '../command.js';

export interface LabExecOptions {
  input?: string;
  env?: Record<string, string>;
  timeoutMs?: number;
}

/** `sh -c command` on the node, as root, with the node's PATH (kato included). */
export async function labExec(dir: string, node: string, command: string, o: LabExecOptions = {}): Promise<RunResult> {
  const state = readState(dir);
  if (!state) throw new LabError(`no lab in ${dir}`, 'run `stackplay lab up` first');
  const n = state.nodes.find((x) => x.name === node);
  if (!n) throw new LabError(`no node "${node}" in the lab (nodes: ${state.nodes.map((x) => x.name).join(', ')})`);
  if (!n.holder || !isAlive(n.holder))
    throw new LabError(`node ${node} is down`, 'run `stackplay lab up` to repair it');
  return run('nsenter', [...enterArgs(n.holder), '--', '/bin/sh', '-c', `cd / && ${command}`], {
    env: nodeEnv(o.env),
    timeoutMs: o.timeoutMs ?? 120_000,
    ...(o.input !== undefined ? { input: o.input } : {}),
  });
}

export interface LabKatoOptions {
  env?: Record<string, string>;
  /** What the operator types at kato's prompts; by default the stackato password, for kato's sudo prompt. */
  input?: string;
}

/**
 * `kato ARGS` on the node as the stackato user, the way root scripts reach it (reference/kato.md section
 * 3.1: `su -l stackato -c`); the lab's stackato password is typed when kato asks for sudo.
 */
export async function labKato(dir: string, node: string, args: string, o: LabKatoOptions = {}): Promise<RunResult> {
  const state = readState(dir);
  const env = Object.entries(o.env ?? {})
    .map(([k, v]) => `${k}=${quote(v)} `)
    .join('');
  const input = o.input ?? `${state?.stackatoPassword ?? DEFAULT_STACKATO_PASSWORD}\n`;
  return labExec(dir, node, `su -l ${STACKATO_USER} -c ${quote(`${env}/home/stackato/bin/kato ${args}`)}`, { input });
}
