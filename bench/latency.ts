// The latency section of `npm run bench`: stackplay, Ansible and Ansible+Mitogen through the delaying proxy at several RTTs.
import { buildSync } from 'esbuild';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { labPaths, proxyCommand, type LabState } from '../src/commands/lab.js';
import { DelayHub } from './delay-hub.js';
import { closeControlMasters, ensureAnsible, ensureMitogen, writeAnsibleConfig } from './ansible.js';
import { measure, type Measured } from './measure.js';
import { ansibleRecap, check, stackplayRecap } from './recap.js';
import { row, secs } from './report.js';
import { spreadHosts, writeInventory, writePlaybook } from './workload.js';
import { waitUntil } from '../test/helpers/wait.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Per host: 10 command, 5 copy, 3 template, 2 file tasks; a first run changes the last 10. */
const WORKLOAD = { commands: 10, copies: 5, templates: 3, files: 2 };
const TASKS = WORKLOAD.commands + WORKLOAD.copies + WORKLOAD.templates + WORKLOAD.files;
const CHANGING = WORKLOAD.copies + WORKLOAD.templates + WORKLOAD.files;

/** The proxy as one plain .mjs file, so each connection's proxy starts in node's time, not tsx's. */
function bundleProxy(dir: string): string {
  const out = join(dir, 'delay-proxy.mjs');
  buildSync({
    entryPoints: [join(ROOT, 'bench/delay-proxy.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile: out,
    logLevel: 'warning',
  });
  return out;
}

/** Sum of the round trips the proxies of one run counted, once every proxy that started has exited. */
async function roundTrips(dir: string): Promise<{ trips: number; proxies: number; missing: number }> {
  const names = () => readdirSync(dir);
  const started = () => names().filter((f) => f.endsWith('.start')).length;
  const done = () => names().filter((f) => f.endsWith('.json')).length;
  await waitUntil(() => done() >= started(), 30_000);
  let trips = 0;
  for (const f of names().filter((n) => n.endsWith('.json')))
    trips += (JSON.parse(readFileSync(join(dir, f), 'utf8')) as { roundTrips: number }).roundTrips;
  return { trips, proxies: done(), missing: started() - done() };
}

interface Runner {
  name: string;
  /** Runs the playbook against the inventory; `check` adds --check. */
  run(inv: string, book: string, check: boolean): Promise<Measured>;
  changed(m: Measured): { code: number | null; recap: ReturnType<typeof stackplayRecap> };
  /** Ends what outlives a run (Ansible's ControlPersist masters and with them their proxies). */
  after?(): void;
  /** The play's `strategy` for a free run: Mitogen's own mitogen_free, the others Ansible's free. */
  free: string;
}

export interface LatencyOptions {
  s: LabState;
  work: string;
  remote: string;
  hosts: number;
  rtts: number[];
  stackplay: (args: string[]) => Promise<Measured>;
  stackplayName: string;
  makeDirs: (dir: string) => Promise<void>;
  log: (s: string) => void;
  /** linear (Ansible's default: every task waits for every host) or free (no host waits for another). */
  strategy: 'linear' | 'free';
  /** hub: one delaying server here, a socat per connection (delay-hub.ts); process: a Node proxy per connection. */
  proxy: 'hub' | 'process';
  /**
   * Times each runner's three runs are repeated per RTT (each round from fresh folders, the runners taking turns
   * within it, another one first each round): a cell is the median of its rounds, with their range.
   */
  rounds: number;
}

const PHASES = [
  { phase: 'first run', check: false, changes: true },
  { phase: 'rerun', check: false, changes: false },
  { phase: '--check', check: true, changes: false },
] as const;

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

/** One cell: the median time of the rounds (their range when more than one), then round trips per host-task. */
function cell(walls: readonly number[], perTask: readonly number[], missing: number): string {
  const range = walls.length > 1 ? ` (${secs(Math.min(...walls)).replace(/ s$/, '')}-${secs(Math.max(...walls))})` : '';
  return `${secs(median(walls))}${range}, ${median(perTask).toFixed(1)} RT${missing ? ` (${missing} proxies unaccounted over the rounds)` : ''}`;
}

/** Markdown lines: per RTT and run, each runner's wall time and round trips per host-task. */
export async function latencyBench(o: LatencyOptions): Promise<string[]> {
  // Short: Ansible's ControlPath sockets live under it (a Unix socket path has at most 107 bytes).
  const dir = join(o.work, `lat-${o.strategy[0]}`);
  mkdirSync(dir, { recursive: true });
  const proxy = bundleProxy(dir);
  const hub = new DelayHub();
  const hosts = spreadHosts(o.s, o.hosts, 'l');
  const lines: string[] = [];
  const runners: Runner[] = [
    {
      name: `stackplay (${o.stackplayName})`,
      run: (inv, book, chk) =>
        o.stackplay(['run', book, '-i', inv, '-f', String(o.hosts), '--output', 'json', ...(chk ? ['--check'] : [])]),
      changed: (m) => ({ code: m.code, recap: stackplayRecap(m) }),
      free: 'free',
    },
  ];
  const a = ensureAnsible(o.log);
  if ('missing' in a) lines.push(`ansible: not run: ${a.missing}`);
  else {
    const mitogen = ensureMitogen();
    if ('missing' in mitogen) lines.push(`ansible+mitogen: not run: ${mitogen.missing}`);
    const kinds = [
      { name: 'ansible', cfgDir: join(dir, 'ansible'), strategies: undefined as string | undefined },
      ...('missing' in mitogen
        ? []
        : [{ name: 'ansible+mitogen', cfgDir: join(dir, 'mitogen'), strategies: mitogen.strategies }]),
    ];
    const mitogenStrategy = o.strategy === 'free' ? 'mitogen_free' : 'mitogen_linear';
    lines.push(`${a.version}${'missing' in mitogen ? '' : `, ${mitogen.version} (strategy ${mitogenStrategy})`}`);
    for (const k of kinds) {
      const cfg = writeAnsibleConfig(k.cfgDir, labPaths(o.s.dir).knownHosts, o.hosts, {
        ...(k.strategies ? { mitogenStrategies: k.strategies } : {}),
      });
      const env = { ...process.env, ANSIBLE_CONFIG: cfg, ANSIBLE_NOCOLOR: '1', ANSIBLE_HOME: k.cfgDir };
      runners.push({
        name: k.name,
        run: (inv, book, chk) =>
          measure(a.path, ['-i', inv, book, ...(chk ? ['--check'] : [])], { env, timeoutMs: 900_000 }),
        changed: (m) => ({ code: m.code, recap: ansibleRecap(m) }),
        after: () => closeControlMasters(join(k.cfgDir, 'cp')),
        free: k.strategies ? 'mitogen_free' : 'free',
      });
    }
  }
  lines.push(
    `strategy ${o.strategy}: ${o.hosts} hosts x ${TASKS} tasks (10 command, 5 copy, 3 template, 2 file), forks ${o.hosts}, each host's ssh through \`${o.proxy === 'hub' ? 'delay-hub (one delaying server, a socat per connection)' : 'delay-proxy (a Node process per connection)'}\` (RTT/2 each way) in front of the lab's ProxyCommand; ${o.rounds} round${o.rounds === 1 ? '' : 's'} per RTT, the runners taking turns in each (another one first each round): median time (range), then round trips per host-task (all connections' round trips / (hosts x tasks), handshakes included); ratios of the medians`,
  );
  lines.push(row(['RTT', 'run', ...runners.map((r) => r.name), ...runners.slice(1).map((r) => `${r.name}/stackplay`)]));
  lines.push(row(Array(2 + runners.length * 2 - 1).fill('---')));
  for (const rtt of o.rtts) {
    // Per runner and phase: each round's wall time and round trips per host-task, and proxies that never reported.
    const walls = runners.map(() => PHASES.map(() => [] as number[]));
    const trips = runners.map(() => PHASES.map(() => [] as number[]));
    const missing = runners.map(() => PHASES.map(() => 0));
    for (let round = 0; round < o.rounds; round++) {
      // Each round another runner goes first, so none always meets the machine as the one before left it.
      const order = runners.map((_, i) => (i + round) % runners.length);
      for (const ri of order) {
        const r = runners[ri]!;
        const remote = `${o.remote}/lat${o.strategy[0]}${rtt}-${ri}-${round}`;
        await o.makeDirs(remote);
        const local = join(dir, `r${ri}-${rtt}-${round}`);
        mkdirSync(local, { recursive: true });
        const book = writePlaybook(join(local, 'play.yml'), {
          ...WORKLOAD,
          dir: remote,
          ...(o.strategy === 'free' ? { strategy: r.free } : {}),
        });
        for (const [pi, { phase, check: chk, changes }] of PHASES.entries()) {
          const counts = join(local, `counts-${phase.replace(/\W/g, '')}`);
          mkdirSync(counts, { recursive: true });
          const routes = new Map<string, string>();
          let t: Awaited<ReturnType<typeof roundTrips>>;
          let m: Measured;
          try {
            if (o.proxy === 'hub')
              for (const h of hosts)
                routes.set(
                  h.name,
                  await hub.route(
                    counts,
                    rtt,
                    h.name,
                    proxyCommand(h.node.namespace).replaceAll('%h', h.node.address).replaceAll('%p', '22'),
                  ),
                );
            const inv = writeInventory(
              o.s,
              hosts,
              join(local, `inv-${phase.replace(/\W/g, '')}.ini`),
              (lab, h) => routes.get(h.name) ?? `${process.execPath} ${proxy} ${rtt} ${counts} -- ${lab}`,
            );
            o.log(`latency RTT ${rtt} ms, round ${round + 1}/${o.rounds}: ${r.name} ${phase}`);
            m = await r.run(inv, book, chk);
            r.after?.();
            const c = r.changed(m);
            check(`${r.name} RTT ${rtt} ${phase}`, m, c.recap, changes ? o.hosts * CHANGING : 0);
            t = await roundTrips(counts);
          } finally {
            hub.closeRoutes();
          }
          if (t.proxies === 0) throw new Error(`${r.name} RTT ${rtt} ${phase}: no connection went through the proxy`);
          walls[ri]![pi]!.push(m.wallMs);
          trips[ri]![pi]!.push(t.trips / (o.hosts * TASKS));
          missing[ri]![pi]! += t.missing;
        }
      }
    }
    for (const [pi, { phase }] of PHASES.entries()) {
      const mid = runners.map((_, ri) => median(walls[ri]![pi]!));
      lines.push(
        row([
          `${rtt} ms`,
          phase,
          ...runners.map((_, ri) => cell(walls[ri]![pi]!, trips[ri]![pi]!, missing[ri]![pi]!)),
          ...mid.slice(1).map((x) => `${(x / mid[0]!).toFixed(1)}x`),
        ]),
      );
    }
  }
  return lines;
}
