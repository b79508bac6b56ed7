// Debian's ansible-core for differential tests: found on PATH or installed with apt-get (root only), run quiet and deterministic.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const which = (bin: string): string | undefined => {
  const r = spawnSync('sh', ['-c', `command -v ${bin}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
};

/**
 * What `found` finds, installing Debian's `pkg` with apt-get (root only) when it finds nothing at first;
 * or why it cannot be had (a test then skips, the bench says so).
 */
export function ensureAptPackage<T>(pkg: string, found: () => T | undefined): T | { missing: string } {
  const have = found();
  if (have !== undefined) return have;
  if (process.getuid?.() !== 0 || !which('apt-get'))
    return { missing: `${pkg} is not installed and installing it needs root and apt-get` };
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const run = (args: string[]) => spawnSync('apt-get', args, { env, encoding: 'utf8', timeout: 600_000 });
  let r = run(['install', '-y', '-qq', '--no-install-recommends', pkg]);
  if (r.status !== 0) {
    run(['update', '-qq']);
    r = run(['install', '-y', '-qq', '--no-install-recommends', pkg]);
  }
  return (
    found() ?? { missing: `apt-get install ${pkg} failed (exit ${r.status}): ${(r.stderr || r.stdout).slice(-300)}` }
  );
}

/** ansible-playbook's path, installing Debian's ansible-core when it is missing; or why it cannot be had (the test then skips). */
export function ensureAnsible(): { bin: string } | { missing: string } {
  return ensureAptPackage('ansible-core', () => {
    const bin = which('ansible-playbook');
    return bin ? { bin } : undefined;
  });
}

/** The Python that runs ansible (the #! line of ansible-inventory), for drivers that import ansible itself. */
export function ansiblePython(): string {
  const bin = which('ansible-inventory') ?? '/usr/bin/ansible-inventory';
  const first = readFileSync(bin, 'utf8').split('\n')[0] ?? '';
  const m = /^#!\s*(\S+)(?:\s+(\S+))?/.exec(first);
  if (!m) return '/usr/bin/python3';
  return m[1]!.endsWith('/env') && m[2] ? m[2] : m[1]!;
}

/**
 * A quiet, deterministic Ansible: an empty ansible.cfg in `tmp` (written here), no retry files, cows, host key
 * checks, color or interpreter and localhost warnings; temp dirs inside `tmp`.
 */
export function ansibleEnv(tmp: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  mkdirSync(tmp, { recursive: true });
  writeFileSync(join(tmp, 'ansible.cfg'), '');
  return {
    ...process.env,
    ANSIBLE_CONFIG: join(tmp, 'ansible.cfg'),
    ANSIBLE_HOME: join(tmp, 'home'),
    ANSIBLE_RETRY_FILES_ENABLED: 'False',
    ANSIBLE_NOCOWS: '1',
    ANSIBLE_NOCOLOR: '1',
    ANSIBLE_FORCE_COLOR: '0',
    ANSIBLE_HOST_KEY_CHECKING: 'False',
    ANSIBLE_LOCALHOST_WARNING: 'False',
    ANSIBLE_INVENTORY_UNPARSED_WARNING: 'False',
    ANSIBLE_DEPRECATION_WARNINGS: 'False',
    ANSIBLE_PYTHON_INTERPRETER: '/usr/bin/python3',
    ANSIBLE_LOCAL_TEMP: join(tmp, 'local'),
    ANSIBLE_REMOTE_TEMP: join(tmp, 'remote'),
    ...extra,
  };
}
