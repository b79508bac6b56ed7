// The lab's client-side files: inventory.ini of the bare nodes and known_hosts with each node's host key.
import { readFileSync, writeFileSync } from 'node:fs';
import { hostKeyFile } from './sshd.js';
import { labPaths, nodeAddress, type LabState } from './state.js';
import { DEFAULT_STACKATO_PASSWORD, STACKATO_USER } from './users.js';

export const proxyCommand = (namespace: string): string => `ip netns exec ${namespace} socat - TCP:%h:%p`;

/** ssh options that reach a node the way the inventory does (for tests and for people poking around). */
export function sshArgs(s: LabState, namespace: string): string[] {
  const p = labPaths(s.dir);
  return [
    '-F',
    '/dev/null',
    '-i',
    p.key,
    '-o',
    'IdentitiesOnly=yes',
    '-o',
    'BatchMode=yes',
    '-o',
    `UserKnownHostsFile=${p.knownHosts}`,
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    `ProxyCommand=${proxyCommand(namespace)}`,
    '-o',
    'ConnectTimeout=10',
    '-l',
    'root',
  ];
}

export function inventoryText(s: LabState): string {
  const p = labPaths(s.dir);
  const lines = [
    `# Bare lab nodes made by \`stackplay lab up --nodes ${s.nodes.length} --kato-version ${s.katoVersion}\`.`,
    '# No role groups: an inventory such as inventory/lab.ini assigns the roles.',
    '# Each node is reached through a ProxyCommand that runs socat inside its network namespace,',
    "# so no packet to a lab address leaves from the host's own namespace.",
    '[lab]',
    ...s.nodes.map((n) => {
      const args = `-o ProxyCommand="${proxyCommand(n.namespace)}" -o UserKnownHostsFile=${p.knownHosts}`;
      return `${n.name} ansible_host=${nodeAddress(n)} ansible_user=${STACKATO_USER} ansible_ssh_private_key_file=${p.key} ansible_ssh_common_args='${args}'`;
    }),
    '[lab:vars]',
    '# kato runs as stackato and asks for this password when it needs sudo (kato.md section 2); masked in output.',
    `ansible_become_password=${s.stackatoPassword ?? DEFAULT_STACKATO_PASSWORD}`,
    '',
  ];
  return lines.join('\n');
}

/** Each node's key under its lab address and, if `kato op static_ip` moved it, under its current address. */
export function knownHostsText(s: LabState): string {
  const lines: string[] = [];
  for (const n of s.nodes) {
    const [type, key] = readFileSync(`${hostKeyFile(n.dir)}.pub`, 'utf8')
      .trim()
      .split(' ');
    for (const a of new Set([n.address, nodeAddress(n)])) lines.push(`${a} ${type} ${key}`);
  }
  return `${lines.join('\n')}\n`;
}

export function writeClientFiles(s: LabState): void {
  const p = labPaths(s.dir);
  writeFileSync(p.knownHosts, knownHostsText(s));
  writeFileSync(p.inventory, inventoryText(s));
}
