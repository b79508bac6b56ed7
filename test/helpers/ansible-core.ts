// Debian's ansible-core for differential tests: found, or installed with apt-get when missing (root only).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const PLAYBOOK = '/usr/bin/ansible-playbook';

/** ansible-playbook's path, or why it cannot be had (the test then skips with that reason). */
export function ensureAnsible(): { bin: string } | { missing: string } {
  if (existsSync(PLAYBOOK)) return { bin: PLAYBOOK };
  if (process.getuid?.() !== 0) return { missing: 'ansible-playbook is not installed and installing it needs root' };
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const run = (args: string[]) => spawnSync('apt-get', args, { env, encoding: 'utf8', timeout: 600_000 });
  run(['update', '-qq']);
  const r = run(['install', '-y', '-qq', '--no-install-recommends', 'ansible-core']);
  if (existsSync(PLAYBOOK)) return { bin: PLAYBOOK };
  return { missing: `apt-get install ansible-core failed (exit ${r.status}): ${(r.stderr || r.stdout).slice(-300)}` };
}
