// Deterministic lab layout: node names, addresses and namespace names (matches inventory/lab.ini).

/** The names for an 8-node lab, in address order; larger labs continue with dea3, dea4, ... */
export const NODE_NAMES = ['core1', 'router1', 'router2', 'data1', 'stager1', 'dea1', 'dea2', 'lb1'] as const;

export interface LabLayout {
  /** Namespace name prefix: node namespaces are `<prefix><name>`, the bridge lives in `<prefix>net`. */
  prefix: string;
  /** The first three octets of the /24 lab network, e.g. "10.77.0". */
  subnet: string;
  /** Host number of the first node (10.77.0.11 by default). */
  firstHost: number;
}

export const DEFAULT_LAYOUT: LabLayout = { prefix: 'sp-', subnet: '10.77.0', firstHost: 11 };

export const BRIDGE = 'spbr0';
/** The node side of its veth pair: Stackato nodes talk on eth0 (kato op static_ip --interface eth0). */
export const NODE_IFACE = 'eth0';
export const PREFIX_LEN = 24;

export interface NodePlan {
  name: string;
  index: number;
  address: string;
  namespace: string;
  /** The bridge side of the veth pair, inside the bridge namespace. */
  bridgePort: string;
}

export const MAX_NODES = 200;

/** The lab's node names: the given ones (a rehearsal of a real inventory), else the default layout's. */
export function nodeNames(n: number, given?: readonly string[]): string[] {
  if (given?.length) return [...given];
  const names: string[] = NODE_NAMES.slice(0, n);
  for (let dea = 3; names.length < n; dea++) names.push(`dea${dea}`);
  return names;
}

export const bridgeNamespace = (l: LabLayout): string => `${l.prefix}net`;
export const gatewayAddress = (l: LabLayout): string => `${l.subnet}.1`;

export function planNodes(n: number, l: LabLayout = DEFAULT_LAYOUT, names?: readonly string[]): NodePlan[] {
  return nodeNames(n, names).map((name, index) => ({
    name,
    index,
    address: `${l.subnet}.${l.firstHost + index}`,
    namespace: `${l.prefix}${name}`,
    bridgePort: `v-${name}`.slice(0, 15),
  }));
}

/** Why a layout or node count cannot be used, or undefined when it can. */
export function checkLayout(n: number, l: LabLayout, names?: readonly string[]): string | undefined {
  if (!Number.isInteger(n) || n < 1 || n > MAX_NODES)
    return `the node count must be a whole number from 1 to ${MAX_NODES}, got ${n}`;
  if (names?.length) {
    if (names.length !== n) return `${names.length} node names for ${n} nodes`;
    const bad = names.find((x) => !/^[a-z][a-z0-9-]{0,11}$/.test(x));
    if (bad !== undefined) return `a node name must be 1-12 lowercase letters, digits or dashes, got "${bad}"`;
    const twice = names.find((x, i) => names.indexOf(x) !== i);
    if (twice !== undefined) return `the node name "${twice}" is given twice`;
  }
  if (!/^[a-z][a-z0-9-]{0,11}$/.test(l.prefix))
    return `the namespace prefix must be 1-12 lowercase letters, digits or dashes, got "${l.prefix}"`;
  const octets = l.subnet.split('.');
  if (octets.length !== 3 || octets.some((o) => !/^\d{1,3}$/.test(o) || Number(o) > 255))
    return `the subnet must be three octets such as 10.77.0, got "${l.subnet}"`;
  if (l.firstHost < 2 || l.firstHost + n - 1 > 254)
    return `${n} nodes from .${l.firstHost} do not fit in ${l.subnet}.0/24`;
  return undefined;
}
