// Ansible for the comparison: installed from Debian if missing, configured like stackplay runs (pipelining, ControlPersist, forks).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureAnsible as ensureAnsibleCore, ensureAptPackage } from '../test/helpers/ansible-core.js';

/** The path of ansible-playbook, installing Debian's ansible-core when it is missing; or why it cannot be had. */
export function ensureAnsible(log: (s: string) => void): { path: string; version: string } | { missing: string } {
  const a = ensureAnsibleCore();
  if ('missing' in a) {
    log(`ansible-playbook: ${a.missing}`);
    return a;
  }
  const version = execFileSync(a.bin, ['--version'], { encoding: 'utf8' }).split('\n')[0]!.trim();
  return { path: a.bin, version };
}

/** Where Debian's ansible-mitogen keeps its strategy plugins. */
const MITOGEN_STRATEGIES = '/usr/lib/python3/dist-packages/ansible_mitogen/plugins/strategy';

/** Mitogen's strategy plugin folder, installing Debian's ansible-mitogen when it is missing; or why it cannot be had. */
export function ensureMitogen(): { strategies: string; version: string } | { missing: string } {
  return ensureAptPackage('ansible-mitogen', () => {
    if (!existsSync(join(MITOGEN_STRATEGIES, 'mitogen_linear.py'))) return undefined;
    const v = execFileSync('dpkg-query', ['-W', '-f', '${Version}', 'ansible-mitogen'], { encoding: 'utf8' }).trim();
    return { strategies: MITOGEN_STRATEGIES, version: `ansible-mitogen ${v}` };
  });
}

/**
 * A folder with ansible.cfg; run ansible-playbook with ANSIBLE_CONFIG pointing at it. With `mitogenStrategies`,
 * the plays run under Mitogen's mitogen_linear strategy (same ssh_args, so the same ProxyCommand).
 */
export function writeAnsibleConfig(
  dir: string,
  knownHosts: string,
  forks: number,
  o: { mitogenStrategies?: string } = {},
): string {
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
      ...(o.mitogenStrategies ? [`strategy_plugins = ${o.mitogenStrategies}`, 'strategy = mitogen_linear'] : []),
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

/** Ends ansible's ControlPersist masters now rather than 60 s after the lab is gone. */
export function closeControlMasters(dir: string): void {
  let socks: string[] = [];
  try {
    socks = readdirSync(dir);
  } catch {
    return;
  }
  for (const s of socks)
    spawnSync('ssh', ['-F', '/dev/null', '-o', `ControlPath=${join(dir, s)}`, '-O', 'exit', 'bench'], {
      stdio: 'ignore',
      timeout: 5000,
    });
}
