// Read-only network probes, run on the target host.
import { defineFact, readOnly, sh } from '../../src/sdk.js';

/**
 * Whether a TCP connection from the host to host:port succeeds within 3 seconds. Uses bash's
 * /dev/tcp, so it needs no netcat; the address goes in as positional arguments, never into the script.
 */
export const portOpen = defineFact({
  name: 'port_open',
  shared: true,
  command: (host: string, port: number) =>
    readOnly(sh`timeout 3 bash -c 'exec 3<>"/dev/tcp/$1/$2"' port_open ${host} ${port}`),
  parse(out, host, port): boolean {
    if (out.code === 0) return true;
    // 1: refused or unreachable; 124: timed out.
    if (out.code === 1 || out.code === 124) return false;
    throw new Error(`port_open ${host}:${port}: probe exited ${out.code ?? 'by a signal'}: ${out.stderr.trim()}`);
  },
});
