// The system facts gather_facts gives (Ansible's names), read from the node in one read-only probe.
import { defineFact, readOnly, sh } from '../../src/sdk.js';

// One round trip: key=value lines. `ip route get` only looks the route up, it sends nothing.
const PROBE = [
  'echo "hostname=$(hostname 2>/dev/null || uname -n)"',
  'echo "fqdn=$(hostname -f 2>/dev/null || hostname 2>/dev/null || uname -n)"',
  'echo "system=$(uname -s)"',
  'echo "architecture=$(uname -m)"',
  'if [ -r /etc/os-release ]; then sed -n "s/^\\(ID\\|ID_LIKE\\|NAME\\|VERSION_ID\\|VERSION_CODENAME\\)=/os_\\1=/p" /etc/os-release; fi',
  'r=$(ip -4 route show default 2>/dev/null | head -n 1)',
  'gw=$(echo "$r" | sed -n "s/.* via \\([0-9.]*\\).*/\\1/p")',
  'dev=$(echo "$r" | sed -n "s/.* dev \\([^ ]*\\).*/\\1/p")',
  'echo "gateway=$gw"',
  'echo "interface=$dev"',
  'if [ -n "$dev" ]; then echo "address=$(ip -4 -o addr show dev "$dev" 2>/dev/null | sed -n "s/.* inet \\([0-9.]*\\)\\/.*/\\1/p" | head -n 1)"; fi',
].join('\n');

const DISTRIBUTIONS: Record<string, string> = {
  debian: 'Debian',
  ubuntu: 'Ubuntu',
  centos: 'CentOS',
  rhel: 'RedHat',
  fedora: 'Fedora',
  alpine: 'Alpine',
  arch: 'Archlinux',
  opensuse: 'openSUSE',
  'opensuse-leap': 'openSUSE Leap',
  sles: 'SLES',
  rocky: 'Rocky',
  almalinux: 'AlmaLinux',
  amzn: 'Amazon',
};

const FAMILIES: Record<string, string> = {
  debian: 'Debian',
  ubuntu: 'Debian',
  rhel: 'RedHat',
  centos: 'RedHat',
  fedora: 'RedHat',
  rocky: 'RedHat',
  almalinux: 'RedHat',
  amzn: 'RedHat',
  alpine: 'Alpine',
  arch: 'Archlinux',
  suse: 'Suse',
  opensuse: 'Suse',
  sles: 'Suse',
};

const unquote = (v: string) => v.replace(/^"(.*)"$/, '$1').replace(/^'(.*)'$/, '$1');

/** The facts as Ansible names them. */
export type SystemFacts = Record<string, unknown>;

export const systemFacts = defineFact<SystemFacts>({
  name: 'system_facts',
  command: () => readOnly(sh`sh -c ${PROBE}`),
  parse(out) {
    if (out.code !== 0) throw new Error(`the facts probe failed: ${out.stderr.trim() || `exit ${out.code}`}`);
    const kv = new Map<string, string>();
    for (const line of out.stdout.split('\n')) {
      const i = line.indexOf('=');
      if (i > 0) kv.set(line.slice(0, i), unquote(line.slice(i + 1).trim()));
    }
    const get = (k: string) => kv.get(k) ?? '';
    const id = get('os_ID').toLowerCase();
    const like = get('os_ID_LIKE').toLowerCase().split(/\s+/).filter(Boolean);
    const family = [id, ...like].map((x) => FAMILIES[x]).find(Boolean) ?? (get('os_NAME') || get('system'));
    return {
      ansible_hostname: get('hostname').split('.')[0],
      ansible_nodename: get('hostname'),
      ansible_fqdn: get('fqdn'),
      ansible_system: get('system'),
      ansible_architecture: get('architecture'),
      ansible_distribution: DISTRIBUTIONS[id] ?? (get('os_NAME') || 'NA'),
      ansible_distribution_version: get('os_VERSION_ID') || 'NA',
      ansible_distribution_release: get('os_VERSION_CODENAME') || 'NA',
      ansible_os_family: family,
      ansible_default_ipv4: kv.get('interface')
        ? { address: get('address'), interface: get('interface'), gateway: get('gateway') }
        : {},
    };
  },
});
