// Each node's own OpenSSH server: own host key and config in the lab folder; the lab's user key for root.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { enterArgs, NODE_PATH, nodeEnv } from './holder.js';
import { isAlive, spawnDetached, type ProcRecord } from './proc.js';
import { LabError, run, runOk, waitFor } from './run.js';
import { labPaths } from './state.js';

async function ensureKey(file: string, comment: string): Promise<string> {
  if (!existsSync(file) || !existsSync(`${file}.pub`))
    await runOk('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', file], { input: 'y\n' });
  return readFileSync(`${file}.pub`, 'utf8').trim();
}

/** The user key for root on every node, and the authorized_keys file every node's sshd reads. */
export async function ensureUserKey(dir: string): Promise<void> {
  const p = labPaths(dir);
  const pub = await ensureKey(p.key, 'stackplay-lab');
  writeFileSync(p.authorizedKeys, `${pub}\n`, { mode: 0o600 });
}

export const hostKeyFile = (nodeDir: string): string => join(nodeDir, 'ssh_host_ed25519_key');

/** The node's host key as `type base64` (the known_hosts form without the host field). */
export async function ensureHostKey(nodeDir: string, name: string): Promise<string> {
  const [type, key] = (await ensureKey(hostKeyFile(nodeDir), `lab-${name}`)).split(' ');
  return `${type} ${key}`;
}

export function sshdConfig(labDir: string, nodeDir: string): string {
  return [
    '# sshd of a stackplay lab node (never the system sshd).',
    'Port 22',
    'ListenAddress 0.0.0.0',
    `HostKey ${hostKeyFile(nodeDir)}`,
    `PidFile ${join(nodeDir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${labPaths(labDir).authorizedKeys} .ssh/authorized_keys`,
    'PermitRootLogin prohibit-password',
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'StrictModes no',
    'UsePAM no',
    'MaxSessions 10',
    'MaxStartups 100:30:200',
    'PrintMotd no',
    'UseDNS no',
    `SetEnv PATH=${NODE_PATH}`,
    'Subsystem sftp internal-sftp',
    '',
  ].join('\n');
}

/** True when something accepts TCP connections on address:port inside the node. */
export async function probeTcp(holder: ProcRecord, address: string, port: number): Promise<boolean> {
  const r = await run(
    'nsenter',
    [...enterArgs(holder), '--', 'socat', '-u', 'OPEN:/dev/null', `TCP:${address}:${port},connect-timeout=2`],
    { timeoutMs: 5000 },
  );
  return r.code === 0;
}

export async function startSshd(
  labDir: string,
  nodeDir: string,
  name: string,
  address: string,
  holder: ProcRecord,
  record: (p: ProcRecord) => void,
): Promise<ProcRecord> {
  const config = join(nodeDir, 'sshd_config');
  writeFileSync(config, sshdConfig(labDir, nodeDir));
  const log = join(nodeDir, 'logs', 'sshd.log');
  const sshd = spawnDetached(
    'nsenter',
    [...enterArgs(holder), '--', '/usr/sbin/sshd', '-D', '-e', '-f', config],
    log,
    `sshd of ${name}`,
    nodeEnv(),
  );
  record(sshd);
  // Generous: usually up at the first or second probe, but a busy machine can take many seconds.
  const up = await waitFor(async () => !isAlive(sshd) || (await probeTcp(holder, address, 22)), 60_000, 100);
  if (!up || !isAlive(sshd)) {
    const tail = existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').slice(-5).join('\n') : '';
    throw new LabError(`node ${name}: sshd did not start${tail ? `:\n${tail}` : ''}`, `see ${log}`);
  }
  return sshd;
}
