// Read-only probe of nginx's load-balancer pool: the servers listed in upstream blocks.
import { defineFact, readOnly, sh, raw } from '../../src/sdk.js';

/** Router IPs in `upstream { server IP[:port]; }` blocks of the enabled nginx configs (sorted, unique). */
export const nginxPool = defineFact({
  name: 'nginx_pool',
  command: () =>
    readOnly(sh`cat /etc/nginx/*.conf /etc/nginx/conf.d/*.conf /etc/nginx/sites-enabled/* ${raw('2>/dev/null')}; true`),
  parse: (out): string[] => {
    const pool = new Set<string>();
    for (const block of out.stdout.matchAll(/upstream\s+\S+\s*\{([^}]*)\}/g)) {
      for (const m of block[1]!.matchAll(/^\s*server\s+([0-9.]+)(?::\d+)?/gm)) pool.add(m[1]!);
    }
    return [...pool].sort();
  },
});
