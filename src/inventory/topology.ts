// Cluster shape rules checked before anything connects (DESIGN.md §3, reference/kato.md §1, §2.2, §4).
import { diag, type Diagnostic, type Span } from '../errors.js';
import { didYouMean } from '../suggest.js';
import { groupHosts, resolveHost } from './resolve.js';
import { extraRoles, KATO_ROLES, ROLE_NAMES, roleGroupOf, rolesOf } from './roles.js';
import type { Inventory, InventoryHost, ResolvedHost } from './types.js';

/**
 * Vars a cluster with more than one controller must set on every controller (the core counts as one):
 * kato.md §4 has all controllers share /var/vcap/shared on one filesystem.
 *   shared_storage_type    how to mount it: sshfs or nfs (what mount_shared mounts)
 *   shared_storage_source  what to mount: nas1:/export/stackato
 *   shared_storage_path    optional mount point, default /mnt/controller (linked from /var/vcap/shared)
 */
export const SHARED_STORAGE_VARS = ['shared_storage_type', 'shared_storage_source'] as const;
/** The share types mount_shared mounts. */
const SHARED_STORAGE_TYPES = ['sshfs', 'nfs'];

interface Node {
  host: InventoryHost;
  resolved: ResolvedHost;
  roles: string[];
}

const truthy = (v: unknown): boolean =>
  v === true || v === 1 || (typeof v === 'string' && /^(true|yes|on|1)$/i.test(v));
const isIpv4 = (v: unknown): boolean =>
  typeof v === 'string' && /^(\d{1,3})(\.\d{1,3}){3}$/.test(v) && v.split('.').every((p) => Number(p) <= 255);
const names = (nodes: Node[]): string => nodes.map((n) => n.host.name).join(', ');

/** Where a host's var was set: on the host, else in its strongest group that sets it, else the host itself. */
function varSpan(inv: Inventory, n: Node, key: string): Span | undefined {
  const own = n.host.varSpans?.[key];
  if (own) return own;
  for (const g of [...n.resolved.groups].reverse()) {
    const group = inv.groups.get(g);
    if (group && Object.hasOwn(group.vars, key)) return group.varSpans?.[key] ?? group.at ?? n.host.at;
  }
  return n.host.at;
}

function checkRoleNames(inv: Inventory, n: Node): Diagnostic[] {
  const value = n.resolved.vars.stackato_roles;
  const { roles, error } = extraRoles(value);
  const at = varSpan(inv, n, 'stackato_roles');
  if (error) return [diag('E_TOPOLOGY_ROLE', `${n.host.name}: ${error}`, at, 'e.g. stackato_roles=mysql,filesystem')];
  return roles
    .filter((r) => !KATO_ROLES.includes(r))
    .map((r) => {
      const hint =
        roleGroupOf(r) === 'core'
          ? `core is a group, not a kato role: put ${n.host.name} in the core group`
          : (didYouMean(r, KATO_ROLES) ?? `kato roles are: ${KATO_ROLES.join(', ')}`);
      return diag('E_TOPOLOGY_ROLE', `${n.host.name}: "${r}" in stackato_roles is not a kato role`, at, hint);
    });
}

function checkCluster(inv: Inventory, nodes: Node[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  const withRole = (role: string) => nodes.filter((n) => n.roles.includes(role));
  const cores = nodes.filter((n) => n.resolved.groups.some((g) => roleGroupOf(g) === 'core'));
  const deas = withRole('dea');

  // Exactly one core; with DEAs and no core the DEA rule below says it better.
  for (const extra of cores.slice(1)) {
    out.push(
      diag(
        'E_TOPOLOGY_CORE',
        `${extra.host.name}: a cluster has exactly one core, and ${cores[0]!.host.name} is already the core`,
        extra.host.at,
        'keep one host in the core group; other hosts join it with roles such as controller or router',
      ),
    );
  }
  if (!cores.length && !deas.length) {
    const first = nodes.find((n) => n.roles.length);
    out.push(
      diag(
        'E_TOPOLOGY_CORE',
        `no host is in the core group (hosts with roles: ${names(nodes.filter((n) => n.roles.length))}); a cluster needs exactly one core`,
        first?.host.at,
        'put the host that should run controller, primary and router in the core group',
      ),
    );
  }
  for (const n of withRole('primary').filter((p) => !cores.includes(p))) {
    out.push(
      diag(
        'E_TOPOLOGY_CORE',
        `${n.host.name}: the primary role runs only on the core, and ${n.host.name} is not the core`,
        varSpan(inv, n, 'stackato_roles'),
        'remove primary from stackato_roles; the core gets it from `kato node setup core`',
      ),
    );
  }
  for (const n of deas) {
    if (!cores.length)
      out.push(
        diag(
          'E_TOPOLOGY_DEA_CORE',
          `${n.host.name}: a DEA attaches to the core, and no host is in the core group`,
          n.host.at,
          'put one host in the core group',
        ),
      );
  }

  for (const n of withRole('load_balancer')) {
    const others = n.roles.filter((r) => r !== 'load_balancer' && r !== 'base');
    if (others.length) {
      out.push(
        diag(
          'E_TOPOLOGY_LB_ALONE',
          `${n.host.name}: a load balancer has no other role, and ${n.host.name} also has ${others.join(', ')}`,
          n.host.at,
          `move ${others.join(', ')} to another host: kato allows no other role on a load balancer node`,
        ),
      );
    }
  }

  // Router hosts only: the core's built-in router does not count (kato.md: core + one router host needs no LB).
  const routers = withRole('router');
  const lbs = withRole('load_balancer');
  if (routers.length > 1 && !lbs.length && !routers.some((n) => truthy(n.resolved.vars.external_lb))) {
    const n = routers[1]!;
    out.push(
      diag(
        'E_TOPOLOGY_ROUTER_LB',
        `${n.host.name}: ${routers.length} routers (${names(routers)}) need a load balancer, and no host is in the load_balancer group`,
        n.host.at,
        'add a host to the load_balancer group, or set external_lb=true if a load balancer outside the cluster spreads traffic over the routers',
      ),
    );
  }

  if (inv.hosts.size > 1) {
    for (const n of withRole('mdns')) {
      out.push(
        diag(
          'E_TOPOLOGY_MDNS',
          `${n.host.name}: mdns is for single-node micro clouds, and this inventory has ${inv.hosts.size} hosts`,
          varSpan(inv, n, 'stackato_roles'),
          'remove mdns from stackato_roles (kato: do not use it in clusters)',
        ),
      );
    }
  }

  // Extra cores are reported above; counting them here too would only repeat that.
  const controllers = nodes.filter((n) => n === cores[0] || (!cores.includes(n) && n.roles.includes('controller')));
  if (controllers.length > 1) {
    for (const n of controllers) {
      const missing = SHARED_STORAGE_VARS.filter((k) => n.resolved.vars[k] === undefined || n.resolved.vars[k] === '');
      const source = n.resolved.vars.shared_storage_source;
      if (!missing.length && typeof source === 'string' && source.startsWith('-'))
        out.push(
          diag(
            'E_TOPOLOGY_SHARED_STORAGE',
            `${n.host.name}: shared_storage_source must not start with "-" (the mount command would read it as an option)`,
            varSpan(inv, n, 'shared_storage_source'),
            'give the source as host:/path, e.g. nas1:/export/stackato',
          ),
        );
      const type = n.resolved.vars.shared_storage_type;
      if (!missing.length && !SHARED_STORAGE_TYPES.includes(String(type)))
        out.push(
          diag(
            'E_TOPOLOGY_SHARED_STORAGE',
            `${n.host.name}: shared_storage_type is ${JSON.stringify(type)}; cluster.yml mounts sshfs or nfs`,
            varSpan(inv, n, 'shared_storage_type'),
            'set shared_storage_type=sshfs or shared_storage_type=nfs (or mount another filesystem yourself and link the data)',
          ),
        );
      if (!missing.length) continue;
      out.push(
        diag(
          'E_TOPOLOGY_SHARED_STORAGE',
          `${n.host.name}: ${controllers.length} controllers (${names(controllers)}) share /var/vcap/shared, and ${n.host.name} has no ${missing.join(' or ')}`,
          n.host.at,
          'set shared_storage_type (e.g. nfs) and shared_storage_source (e.g. nas1:/export/stackato) for every controller, the core included, e.g. in a group holding them',
        ),
      );
    }
  }

  for (const n of withRole('harbor')) {
    const ip = n.resolved.vars.public_ip;
    if (ip === undefined || ip === '') {
      out.push(
        diag(
          'E_TOPOLOGY_HARBOR_IP',
          `${n.host.name}: harbor needs public_ip, a publicly routable address for app TCP/UDP ports`,
          n.host.at,
          `set public_ip=<address> on ${n.host.name}`,
        ),
      );
    } else if (!isIpv4(ip)) {
      out.push(
        diag(
          'E_TOPOLOGY_HARBOR_IP',
          `${n.host.name}: public_ip ${JSON.stringify(ip)} is not an IPv4 address`,
          varSpan(inv, n, 'public_ip'),
          'e.g. public_ip=203.0.113.10',
        ),
      );
    }
  }
  return out;
}

const looseName = (name: string): string => name.toLowerCase().replace(/-/g, '_').replace(/s$/, '');

/** `[routers]` or `[load-balancer]` gives no role: warn when such a group's hosts miss the role it names. */
function checkGroupNames(inv: Inventory, nodes: Node[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  const byName = new Map(nodes.map((n) => [n.host.name, n]));
  for (const g of inv.groups.values()) {
    if (roleGroupOf(g.name)) continue;
    const role = ROLE_NAMES.find((r) => looseName(r) === looseName(g.name));
    if (!role) continue;
    const missing = groupHosts(inv, g.name).filter((h) => !byName.get(h)?.roles.includes(role));
    if (!missing.length) continue;
    out.push({
      severity: 'warning',
      code: 'E_TOPOLOGY_ROLE_GROUP',
      message: `group "${g.name}" is not the role group "${role}", so ${missing.join(', ')} ${missing.length === 1 ? 'gets' : 'get'} no ${role} role`,
      ...(g.at ? { at: g.at } : {}),
      hint: `rename it to [${role}], or make it a child of ${role} ([${role}:children])`,
    });
  }
  return out;
}

/**
 * Checks the cluster's shape. The cluster rules apply only when some host is in a role group: an
 * inventory without role groups is a plain Ansible inventory. stackato_roles names are always checked.
 */
export function validateTopology(inv: Inventory): Diagnostic[] {
  const nodes: Node[] = [...inv.hosts.values()].map((host) => {
    const resolved = resolveHost(inv, host.name);
    return { host, resolved, roles: rolesOf(resolved) };
  });
  const out = [...nodes.flatMap((n) => checkRoleNames(inv, n)), ...checkGroupNames(inv, nodes)];
  const usesRoleGroups = nodes.some((n) => n.resolved.groups.some((g) => roleGroupOf(g) !== undefined));
  return usesRoleGroups ? [...out, ...checkCluster(inv, nodes)] : out;
}
