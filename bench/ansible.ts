// Ansible for the comparison: installed from Debian if missing, configured like stackplay runs (pipelining, ControlPersist, forks).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function ansiblePlaybook(): string | undefined {
  const which = spawnSync('sh', ['-c', 'command -v ansible-playbook'], { encoding: 'utf8' });
  return which.status === 0 ? which.stdout.trim() : undefined;
}

/** The path of ansible-playbook, installing Debian's ansible-core when it is missing; or why it cannot be had. */
export function ensureAnsible(log: (s: string) => void): { path: string; version: string } | { missing: string } {
  let path = ansiblePlaybook();
  if (!path) {
    log('ansible-playbook is missing: apt-get install -y ansible-core');
    const r = spawnSync('apt-get', ['install', '-y', 'ansible-core'], {
      encoding: 'utf8',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    if (r.status !== 0)
      return {
        missing: `apt-get install ansible-core failed: ${(r.stderr || r.stdout || String(r.error)).trim().split('\n').slice(-2).join(' ')}`,
      };
    path = ansiblePlaybook();
    if (!path) return { missing: 'ansible-core installed but ansible-playbook not on PATH' };
  }
  const version = execFileSync(path, ['--version'], { encoding: 'utf8' }).split('\n')[0]!.trim();
  return { path, version };
}

/** A folder with ansible.cfg; run ansible-playbook with ANSIBLE_CONFIG pointing at it. */
export function writeAnsibleConfig(dir: string, knownHosts: string, forks: number): string {
  mkdirSync(dir, { recursive: true });
  const cp = join(dir, 'cp');
  mkdirSync(cp, { recursive: true });
  const cfg = join(dir, 'ansible.cfg');
  writeFileSync(
    cfg,
    [
      '[defaults]',
      `forks = ${forks}`,
      'host_key_checking = True',
      'gathering = explicit',
      'retry_files_enabled = False',
      'interpreter_python = /usr/bin/python3',
      `local_tmp = ${join(dir, 'tmp')}`,
      '',
      '[ssh_connection]',
      'pipelining = True',
      `ssh_args = -F /dev/null -o ControlMaster=auto -o ControlPersist=60s -o StrictHostKeyChecking=yes -o UserKnownHostsFile=${knownHosts} -o IdentitiesOnly=yes -o BatchMode=yes`,
      `control_path_dir = ${cp}`,
      'control_path = %(directory)s/%%C',
      '',
    ].join('\n'),
  );
  return cfg;
}
