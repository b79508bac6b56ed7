// A lab for integration tests: brought up in a temp folder with its own namespace prefix, always taken down.
//
//   test.serial('...', (t) => withLab(t, { nodes: 3 }, async (lab) => {
//     await lab.kato('core1', 'node setup core api.lab.test');
//     const r = await lab.ssh('router1', 'hostname');
//   }));
//
// Needs Linux, root and the lab's packages: use labSkipReason() to skip otherwise.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import { labDown, labExec, labKato, labUp, sshArgs, type LabState, type LabUpOptions } from '../../src/commands/lab.js';
import { run, type RunResult } from '../../src/lab/run.js';
import { nodeAddress } from '../../src/lab/state.js';
import { findTool } from '../../src/lab/host-check.js';
import { waitUntil } from './wait.js';

export type LabOptions = { nodes: number; katoVersion?: string } & Pick<
  LabUpOptions,
  | 'strictExitCodes'
  | 'stackatoPassword'
  | 'sudoNopasswd'
  | 'nodeVersions'
  | 'setupSeconds'
  | 'startingSeconds'
  | 'names'
>;

export interface TestLab {
  dir: string;
  state: LabState;
  prefix: string;
  /** A shell command inside the node (nsenter), no ssh involved. */
  exec(node: string, command: string, env?: Record<string, string>): Promise<RunResult>;
  /**
   * `kato ARGS` inside the node as the stackato user (su -l stackato -c), typing the stackato password when
   * kato asks for sudo; `input` replaces what is typed.
   */
  kato(node: string, args: string, env?: Record<string, string>, input?: string): Promise<RunResult>;
  /** The system ssh client with the lab's key, known_hosts and ProxyCommand (never ~/.ssh). */
  ssh(node: string, command: string): Promise<RunResult>;
  address(node: string): string;
  namespace(node: string): string;
}

export const TEST_SUBNET = '10.78.0';

/** The time a test with a lab may run between two assertions. */
const LAB_TEST_MS = 15 * 60_000;

/**
 * Names answering HTTPS through the load balancer on `lb`, asked until each of `expected` answered
 * or WAIT_MS passed (on a busy machine one request can take seconds).
 */
export async function namesThroughLb(lab: TestLab, lb: string, expected: readonly string[]): Promise<string[]> {
  const seen: string[] = [];
  await waitUntil(async () => {
    const r = await lab.exec(lb, `curl -sk --max-time 30 https://${lab.address(lb)}/`);
    if (r.code === 0 && r.stdout.trim()) seen.push(r.stdout.trim());
    return expected.every((n) => seen.includes(n));
  });
  return seen;
}
let counter = 0;

/** Why the lab cannot run here, or undefined. */
export function labSkipReason(): string | undefined {
  if (process.platform !== 'linux') return 'the lab needs Linux';
  if (process.getuid?.() !== 0) return 'the lab needs root';
  const missing = [
    'ip',
    'unshare',
    'nsenter',
    'sshd',
    'ssh',
    'socat',
    'redis-server',
    'nginx',
    'openssl',
    'curl',
  ].filter((x) => !findTool(x));
  return missing.length ? `missing ${missing.join(', ')}` : undefined;
}

export async function withLab<T>(t: ExecutionContext, o: LabOptions, fn: (lab: TestLab) => Promise<T>): Promise<T> {
  const base = mkdtempSync(join(tmpdir(), 'stackplay-lab-'));
  const dir = join(base, 'lab');
  // A prefix per lab, so labs of parallel test files and a developer's own lab never share a namespace.
  const prefix = `spt${process.pid % 100000}${counter++ % 10}-`;
  // A lab test runs many commands and CLI runs; on a busy machine it can take many minutes (ava's
  // default allows 120 s without a result). Each assertion restarts this timer.
  t.timeout(LAB_TEST_MS);
  const down = async () => {
    if (existsSync(dir)) await labDown({ dir });
    rmSync(base, { recursive: true, force: true });
  };
  t.teardown(down);
  try {
    const state = await labUp({
      nodes: o.nodes,
      katoVersion: o.katoVersion ?? '3.6.2',
      dir,
      prefix,
      subnet: TEST_SUBNET,
      ...(o.strictExitCodes !== undefined ? { strictExitCodes: o.strictExitCodes } : {}),
      ...(o.stackatoPassword !== undefined ? { stackatoPassword: o.stackatoPassword } : {}),
      ...(o.sudoNopasswd !== undefined ? { sudoNopasswd: o.sudoNopasswd } : {}),
      ...(o.nodeVersions !== undefined ? { nodeVersions: o.nodeVersions } : {}),
      ...(o.setupSeconds !== undefined ? { setupSeconds: o.setupSeconds } : {}),
      ...(o.startingSeconds !== undefined ? { startingSeconds: o.startingSeconds } : {}),
      ...(o.names !== undefined ? { names: o.names } : {}),
    });
    const node = (name: string) => {
      const n = state.nodes.find((x) => x.name === name);
      if (!n) throw new Error(`no node ${name} in the test lab`);
      return n;
    };
    const lab: TestLab = {
      dir,
      state,
      prefix,
      exec: (name, command, env) => labExec(dir, name, command, env ? { env } : {}),
      kato: (name, args, env, input) =>
        labKato(dir, name, args, { ...(env ? { env } : {}), ...(input !== undefined ? { input } : {}) }),
      ssh: (name, command) =>
        run('ssh', [...sshArgs(state, node(name).namespace), nodeAddress(node(name)), command], { timeoutMs: 60_000 }),
      address: (name) => nodeAddress(node(name)),
      namespace: (name) => node(name).namespace,
    };
    return await fn(lab);
  } finally {
    await down();
  }
}
