// Ansible's answers for every inventory and pattern case, from one Python process running ansible's own CLI classes (peer.py).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ansibleEnv, ansiblePython } from '../helpers/ansible-core.js';

const PEER = fileURLToPath(new URL('./peer.py', import.meta.url));

export type Job = { kind: 'list'; file: string } | { kind: 'hosts'; file: string; pattern: string };

export interface PeerResult {
  code: number;
  stderr: string;
  error: string | null;
  /** `ansible-inventory --list` JSON (list jobs that succeeded). */
  list?: Record<string, unknown> & { _meta: { hostvars: Record<string, Record<string, unknown>> } };
  /** Python type of every host var: int, float, str, bool, null, list, dict. */
  types?: Record<string, Record<string, string>>;
  /** `ansible PATTERN --list-hosts` (hosts jobs that succeeded), in Ansible's order. */
  hosts?: string[];
}

/**
 * Runs the jobs; an inventory that no plugin can parse is an error (INVENTORY_UNPARSED_FAILED), as a
 * rejection should be. Also usable with the real binaries (`viaBinary`), to check that peer.py agrees with them.
 */
export function runPeer(jobs: Job[]): PeerResult[] {
  const tmp = mkdtempSync(join(tmpdir(), 'stackplay-inv-peer-'));
  try {
    const r = spawnSync(ansiblePython(), [PEER], {
      input: JSON.stringify(jobs),
      encoding: 'utf8',
      env: ansibleEnv(tmp, { ANSIBLE_INVENTORY_UNPARSED_FAILED: 'True' }),
      cwd: tmp,
      maxBuffer: 64 << 20,
      timeout: 300_000,
    });
    if (r.status !== 0) throw new Error(`peer.py exited ${r.status}: ${r.stderr.slice(-2000)}`);
    return JSON.parse(r.stdout) as PeerResult[];
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** The same job through /usr/bin/ansible-inventory or /usr/bin/ansible itself: stdout, stderr and exit code. */
export function viaBinary(job: Job): { code: number; stdout: string; stderr: string } {
  const tmp = mkdtempSync(join(tmpdir(), 'stackplay-inv-bin-'));
  try {
    const [bin, args] =
      job.kind === 'list'
        ? ['ansible-inventory', ['-i', job.file, '--list']]
        : ['ansible', [job.pattern, '-i', job.file, '--list-hosts']];
    const r = spawnSync(bin, args as string[], {
      encoding: 'utf8',
      env: ansibleEnv(tmp, { ANSIBLE_INVENTORY_UNPARSED_FAILED: 'True' }),
      cwd: tmp,
      timeout: 120_000,
    });
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
