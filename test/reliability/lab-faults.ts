// Shared pieces of the lab fault tests: the lab's inventory with extra ssh options, node paths, link cuts that are always undone, sshd kills.
import { readFileSync, writeFileSync } from 'node:fs';
import { descendantsOf } from '../helpers/procs.js';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import { labPaths } from '../../src/commands/lab.js';
import { run } from '../../src/lab/run.js';
import { readState } from '../../src/lab/state.js';
import type { TestLab } from '../helpers/lab.js';
import type { CliResult } from '../integration/cli.js';

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

const RULES = [
  ['INPUT', '--dport'],
  ['OUTPUT', '--sport'],
] as const;

async function iptables(namespace: string, op: '-I' | '-D', chain: string, port: string): Promise<number | null> {
  return (
    await run('ip', ['netns', 'exec', namespace, 'iptables', op, chain, '-p', 'tcp', port, '22', '-j', 'DROP'], {
      timeoutMs: 60_000,
    })
  ).code;
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
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGSTOP');
    } catch {
      /* gone */
    }
  }
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}

/** The end of a run's output for a failure message, each line cut short (a big copy's events hold its content). */
export function shown(r: CliResult): string {
  const lines = r.stdout
    .split('\n')
    .slice(-40)
    .map((l) => (l.length > 400 ? `${l.slice(0, 400)}... (${l.length} chars)` : l));
  return `${lines.join('\n')}\n${r.stderr}`;
}
