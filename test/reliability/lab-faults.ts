// Shared pieces of the lab fault tests: a keepalive inventory, the CLI as a watched child, link cuts that are always undone.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { descendantsOf } from '../helpers/procs.js';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import { labPaths } from '../../src/commands/lab.js';
import { run } from '../../src/lab/run.js';
import { readState } from '../../src/lab/state.js';
import type { RunEvent } from '../../src/report/events.js';
import type { TestLab } from '../helpers/lab.js';
import { BIN, type CliResult } from '../integration/cli.js';

/** The lab's own inventory (ProxyCommand, known_hosts, key) with extra ssh options for every node. */
export function labInventory(lab: TestLab, extraSshArgs = ''): string {
  const text = readFileSync(labPaths(lab.dir).inventory, 'utf8');
  const file = join(lab.dir, 'faults.ini');
  writeFileSync(file, extraSshArgs ? text.replace(/'$/gm, ` ${extraSshArgs}'`) : text);
  return file;
}

/** Where a node's private /tmp, /srv, /root ... are on the host (files survive a reboot). */
export function nodeRoot(lab: TestLab, node: string): string {
  const n = readState(lab.dir)?.nodes.find((x) => x.name === node);
  if (!n) throw new Error(`no node ${node} in the lab`);
  return join(n.dir, 'root');
}

export interface RunningCli {
  result(): CliResult;
  events(): RunEvent[];
  ended(): boolean;
  /** SIGKILL: the controller dies without any cleanup. */
  kill(): void;
  /** The exit code; the child is killed (and the test fails on the null code) after `deadlineMs`. */
  done: Promise<number | null>;
}

/**
 * The CLI in a child process, watched while it runs. The deadline is no timed assertion: it only
 * turns "would wait forever" into a failure instead of a hung test.
 */
export function startCli(t: ExecutionContext, args: string[], deadlineMs = 90_000): RunningCli {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  const timer = setTimeout(() => { stderr += `\n[test] the CLI ran past ${deadlineMs} ms: killed\n`; child.kill('SIGKILL'); }, deadlineMs);
  t.teardown(() => { clearTimeout(timer); if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); });
  const done = new Promise<number | null>((resolve) => child.on('close', (code) => { clearTimeout(timer); resolve(code); }));
  const events = () => stdout.split('\n').filter((l) => l.startsWith('{"type"')).map((l) => JSON.parse(l) as RunEvent);
  return {
    result: () => ({ code: child.exitCode, stdout, stderr, events: events() }),
    events,
    ended: () => child.exitCode !== null || child.signalCode !== null,
    kill: () => { child.kill('SIGKILL'); },
    done,
  };
}

/** Waits for `what`; throws once the CLI has ended, so a broken run fails the test instead of hanging it. */
export async function until(what: () => boolean, cli: RunningCli, description: string): Promise<void> {
  while (!what()) {
    if (cli.ended()) throw new Error(`the CLI ended before ${description}\n${cli.result().stdout.slice(-3000)}\n${cli.result().stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const RULES = [['INPUT', '--dport'], ['OUTPUT', '--sport']] as const;

async function iptables(namespace: string, op: '-I' | '-D', chain: string, port: string): Promise<number | null> {
  return (await run('ip', ['netns', 'exec', namespace, 'iptables', op, chain, '-p', 'tcp', port, '22', '-j', 'DROP'], { timeoutMs: 20_000 })).code;
}

/**
 * Cuts a node's SSH traffic inside its namespace (the ProxyCommand's socat talks to sshd there, so
 * both directions are dropped). Returns the undo, which removes exactly these rules once; it is also
 * registered as a teardown, so a failing test never leaves the rules behind.
 */
export async function cutLink(t: ExecutionContext, lab: TestLab, node: string): Promise<() => Promise<void>> {
  const namespace = lab.namespace(node);
  let added = 0;
  const restore = async () => {
    for (const [chain, port] of RULES.slice(0, added)) await iptables(namespace, '-D', chain, port);
    added = 0;
  };
  t.teardown(restore);
  for (const [chain, port] of RULES) {
    const code = await iptables(namespace, '-I', chain, port);
    if (code !== 0) throw new Error(`iptables -I ${chain} in ${namespace} exited ${code}`);
    added++;
  }
  return restore;
}

/**
 * Kills a node's sshd hard: SIGKILL to the listener recorded in the lab state and to everything
 * under it (the per-connection sshd with its SFTP server), so a transfer stops mid-byte.
 * `lab reboot` brings the node's sshd back. With keepListener, only the sessions end (the node
 * would end them itself once TCP gives up on a dead client, which takes minutes).
 */
export function killSshd(lab: TestLab, node: string, o: { keepListener?: boolean } = {}): void {
  const n = readState(lab.dir)?.nodes.find((x) => x.name === node);
  if (!n?.sshd) throw new Error(`no sshd recorded for ${node}`);
  const pids = [...(o.keepListener ? [] : [n.sshd.pid]), ...descendantsOf(n.sshd.pid)];
  // Stopped first, so none of them reacts to another's death before its own.
  for (const pid of pids) { try { process.kill(pid, 'SIGSTOP'); } catch { /* gone */ } }
  for (const pid of pids) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
}

/** The end of a run's output for a failure message, each line cut short (a big copy's events hold its content). */
export function shown(r: CliResult): string {
  const lines = r.stdout.split('\n').slice(-40).map((l) => (l.length > 400 ? `${l.slice(0, 400)}... (${l.length} chars)` : l));
  return `${lines.join('\n')}\n${r.stderr}`;
}
