// The delaying proxy as one server in the bench's own process: each host's ProxyCommand is a socat to its socket, not a Node process of its own.
//
// Why: the per-connection proxy (delay-proxy.ts, still used by the tests) is a Node process that
// costs some 70 ms of CPU to start, on the machine every runner shares with the lab's nodes: five
// hosts, a third of a second of CPU at the very start of each run, which a real link does not cost.
// Here a connection costs a socat (a few ms) and the same delaying and counting (delayedPipe,
// RoundTrips) runs in this process, which only waits while a runner runs. Per connection it writes
// COUNT_DIR/cN.start when it comes and COUNT_DIR/cN.json ({ roundTrips, up, down }) when both sides
// have ended, as the per-connection proxy does.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { delayedPipe, RoundTrips, writeCount } from './delay-proxy.js';

export class DelayHub {
  #servers: Server[] = [];
  #next = 0;
  /** The connections under way, to end when their route closes (a ControlPersist master left behind, say). */
  #open = new Set<{ sock: Socket; child: ChildProcess }>();

  /**
   * Listens at COUNT_DIR/NAME.sock; each connection runs `inner` (the real proxy, through sh -c,
   * its %h and %p already filled in) and relays both ways, each chunk held `rttMs / 2`. Returns the
   * ProxyCommand a runner uses for that host.
   */
  async route(countDir: string, rttMs: number, name: string, inner: string): Promise<string> {
    const path = join(countDir, `${name}.sock`);
    // Half open: the controller's end of input must not drop what is still held for it.
    const server = createServer({ allowHalfOpen: true }, (sock) => {
      sock.on('error', () => {});
      const id = `c${++this.#next}`;
      const trips = new RoundTrips(rttMs / 2);
      try {
        writeFileSync(join(countDir, `${id}.start`), '');
        const child = spawn('sh', ['-c', inner], { stdio: ['pipe', 'pipe', 'inherit'] });
        const entry = { sock, child };
        this.#open.add(entry);
        const exited = new Promise<void>((resolve) => {
          child.on('close', () => resolve());
          // Not started (no processes left, say): the connection ends, counted as it stands.
          child.on('error', () => {
            sock.destroy();
            resolve();
          });
        });
        child.stdin.on('error', () => {});
        void delayedPipe(sock, child.stdin, rttMs / 2, (c) => trips.fromController(c.length));
        // The node side ended (sshd closed): what is held is delivered, then the socket ends.
        const fromNode = delayedPipe(child.stdout, sock, rttMs / 2, (c) => trips.fromNode(c.length)).then(() =>
          child.kill('SIGTERM'),
        );
        void Promise.all([fromNode, exited])
          .then(() => {
            this.#open.delete(entry);
            writeCount(countDir, id, trips);
          })
          .catch(() => undefined);
      } catch {
        sock.destroy();
      }
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => resolve());
    });
    this.#servers.push(server);
    return `socat - UNIX-CONNECT:${path}`;
  }

  /**
   * Stops listening and ends the connections still under way (the bench has waited for their
   * counts already; one still open is a process that outlived its run, reported unaccounted).
   */
  closeRoutes(): void {
    for (const s of this.#servers) s.close();
    this.#servers = [];
    for (const { sock, child } of this.#open) {
      sock.destroy();
      child.kill('SIGKILL');
    }
    this.#open.clear();
  }
}
