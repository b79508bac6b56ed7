// The floor: the workload's commands over bare ssh2, one connection per host, one exec after another.
import { Client } from 'ssh2';
import { readFileSync } from 'node:fs';
import { spawnProxyCommand } from '../src/transport/proxy-command.js';
import { labPaths, proxyCommand, type LabState } from '../src/commands/lab.js';
import type { HostEntry } from './workload.js';

function connect(_s: LabState, h: HostEntry, key: Buffer): Promise<{ client: Client; done: () => void }> {
  const proxy = spawnProxyCommand(proxyCommand(h.node.namespace).replace('%h', h.node.address).replace('%p', '22'));
  const client = new Client();
  return new Promise((resolve, reject) => {
    client.on('ready', () =>
      resolve({
        client,
        done: () => {
          client.end();
          proxy.kill();
        },
      }),
    );
    client.on('error', (e) => {
      proxy.kill();
      reject(e);
    });
    // Host key checking is left out on purpose: the floor is the least work an ssh2 client can do.
    client.connect({ sock: proxy.stream, username: 'root', privateKey: key, readyTimeout: 20_000 });
  });
}

function run(client: Client, command: string, stdin?: string): Promise<number | null> {
  return new Promise((resolve, reject) => {
    client.exec(command, (err, ch) => {
      if (err) return reject(err);
      ch.on('close', (code: number | null) => resolve(code));
      ch.on('data', () => {});
      ch.stderr.on('data', () => {});
      ch.end(stdin);
    });
  });
}

/** Runs `commands` × `true` and `copies` × (write via cat) on every host, `forks` hosts at a time; returns the wall time in ms. */
export async function runFloor(
  s: LabState,
  hosts: HostEntry[],
  o: { commands: number; copies: number; dir: string; forks: number },
): Promise<number> {
  const key = readFileSync(labPaths(s.dir).key);
  const start = performance.now();
  const queue = [...hosts];
  const worker = async () => {
    for (let h = queue.shift(); h; h = queue.shift()) {
      const { client, done } = await connect(s, h, key);
      try {
        for (let i = 1; i <= o.commands; i++) await run(client, 'true');
        for (let i = 1; i <= o.copies; i++) {
          const code = await run(client, `cat > ${o.dir}/${h.name}-${i}.txt`, `file ${i} of ${h.name}\n`);
          if (code !== 0) throw new Error(`floor write failed on ${h.name}`);
        }
      } finally {
        done();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(o.forks, hosts.length) }, worker));
  return performance.now() - start;
}
