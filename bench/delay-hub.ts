// The delaying proxy as one server in the bench's own process: each host's ProxyCommand is a socat to its socket, not a Node process of its own.
//
// Why: the per-connection proxy (delay-proxy.ts, still used by the tests) is a Node process that
// costs some 70 ms of CPU to start, on the machine every runner shares with the lab's nodes: five
// hosts, a third of a second of CPU at the very start of each run, which a real link does not cost.
// Here a connection costs a socat (a few ms) and the same delaying and counting (delayedPipe,
// RoundTrips) runs in this process, which only waits while a runner runs. Per connection it writes
// COUNT_DIR/cN.start when it comes and COUNT_DIR/cN.json ({ roundTrips, up, down }) when both sides
// have ended, as the per-connection proxy does.
import { spawn } from 'node:child_process';
import { renameSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { delayedPipe, RoundTrips } from './delay-proxy.js';

export class DelayHub {
  #servers: Server[] = [];
  #next = 0;

  /**
   * Listens at COUNT_DIR/NAME.sock; each connection runs `inner` (the real proxy, through sh -c,
   * its %h and %p already filled in) and relays both ways, each chunk held `rttMs / 2`. Returns the
   * ProxyCommand a runner uses for that host.
   */
  async route(countDir: string, rttMs: number, name: string, inner: string): Promise<string> {
    const path = join(countDir, `${name}.sock`);
    const server = createServer((sock) => {
      const id = `c${++this.#next}`;
      writeFileSync(join(countDir, `${id}.start`), '');
      const trips = new RoundTrips(rttMs / 2);
      const child = spawn('sh', ['-c', inner], { stdio: ['pipe', 'pipe', 'inherit'] });
      child.stdin.on('error', () => {});
      sock.on('error', () => {});
      const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
      void delayedPipe(sock, child.stdin, rttMs / 2, (c) => trips.fromController(c.length));
      // The node side ended (sshd closed): what is held is delivered, then the socket ends.
      const fromNode = delayedPipe(child.stdout, sock, rttMs / 2, (c) => trips.fromNode(c.length)).then(() =>
        child.kill('SIGTERM'),
      );
      void Promise.all([fromNode, exited]).then(() => {
        const file = join(countDir, `${id}.json`);
        // Whole or not at all: the bench may list the folder at any moment.
        writeFileSync(`${file}.tmp`, JSON.stringify({ roundTrips: trips.count, up: trips.up, down: trips.down }));
        renameSync(`${file}.tmp`, file);
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => resolve());
    });
    this.#servers.push(server);
    return `socat - UNIX-CONNECT:${path}`;
  }

  /** Stops listening (connections under way go on until they end). */
  async closeRoutes(): Promise<void> {
    const servers = this.#servers;
    this.#servers = [];
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
}
