// `lab down`: end every recorded process, delete every recorded namespace (and so every link and mount
// inside), then the files the lab wrote. Works from state.json alone, so also after a crash.
import { existsSync, readdirSync, readFileSync, rmdirSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { deleteNamespace, isMountPoint } from './netns.js';
import { LabError, run } from './run.js';
import { labPaths, readState } from './state.js';
import { removeNode } from './teardown.js';

export interface LabDownOptions {
  dir: string;
  log?: (line: string) => void;
}

/** Host mount points inside the lab folder: none should exist (node mounts live in node namespaces). */
function mountsUnder(dir: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4] ?? '')
    .filter((m) => m === dir || m.startsWith(`${dir}/`));
}

export async function labDown(o: LabDownOptions): Promise<void> {
  const log = o.log ?? (() => {});
  const dir = resolve(o.dir);
  const state = readState(dir);
  if (!state) {
    log(`lab: no lab in ${dir}`);
    return;
  }
  log(`lab: taking down ${state.nodes.length} nodes in ${dir}`);
  const failures: string[] = [];
  await Promise.all(
    state.nodes.map(async (n) => {
      try {
        await removeNode(n);
      } catch (e) {
        failures.push(`${n.name}: ${(e as Error).message}`);
      }
    }),
  );
  for (const ns of [...state.namespaces].reverse()) {
    try {
      await deleteNamespace(ns);
    } catch (e) {
      failures.push(`${ns}: ${(e as Error).message}`);
    }
  }
  // iproute2 turns /run/netns into a mount point on first use; undo that if the lab caused it and it is unused.
  if (!state.runNetnsWasMounted && isMountPoint('/run/netns') && readdirSync('/run/netns').length === 0) {
    await run('umount', ['/run/netns']);
  }
  if (failures.length)
    throw new LabError(`lab down left things behind:\n${failures.join('\n')}`, 'run `stackplay lab down` again');
  const stuck = mountsUnder(dir);
  if (stuck.length)
    throw new LabError(
      `mounts remain under ${dir}: ${stuck.join(', ')}`,
      'unmount them, then run `stackplay lab down` again',
    );
  const p = labPaths(dir);
  for (const f of [p.nodes, p.key, `${p.key}.pub`, p.authorizedKeys, p.knownHosts, p.inventory, p.kato])
    rmSync(f, { recursive: true, force: true });
  for (const f of [`${p.state}.tmp`, p.state]) rmSync(f, { force: true });
  if (existsSync(dir) && readdirSync(dir).length === 0) rmdirSync(dir);
  log('lab: down');
}
