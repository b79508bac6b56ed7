// How nodes leave a cluster, on the core: DEAs retired first (3.x), then `kato node remove` (reference/kato.md 2.5, 4).
import { exec, kato, type Step } from '../../src/sdk.js';
import type { KatoSeries } from '../facts/kato.js';

export interface Leaving {
  ip: string;
  roles: readonly string[];
  /** How the node is shown: its name or hostname as the core lists it. */
  label?: string;
}

const shown = (n: Leaving): string => `${n.ip}${n.label ? ` (${n.label})` : ''}`;

/**
 * The steps that take `nodes` out of the cluster. On 3.x each DEA is first retired on the core
 * (`kato node retire -n IP`: its apps start on other DEAs before it shuts down), then every node is removed
 * with one `kato node remove`; 2.x has no retire and removes one IP per command. A node already destroyed
 * (skipDetach, 3.2+) cannot be retired, so it is only removed with --skip-detach.
 */
export function removalSteps(series: KatoSeries, nodes: readonly Leaving[], skipDetach = false): Step[] {
  if (nodes.length === 0) return [];
  if (series === '2.x') return nodes.map((n) => exec(`- node ${shown(n)}`, kato`kato node remove ${n.ip}`));
  const retire = skipDetach
    ? []
    : nodes
        .filter((n) => n.roles.includes('dea'))
        .map((n) => exec(`- retire DEA ${shown(n)}`, kato`kato node retire -n ${n.ip}`));
  const flags = skipDetach ? ['--skip-detach'] : [];
  const ips = nodes.map((n) => n.ip);
  return [...retire, exec(`- nodes ${nodes.map(shown).join(', ')}`, kato`kato node remove ${[...flags, ...ips]}`)];
}
