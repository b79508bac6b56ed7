// `npm run bench`: stackplay against ansible-playbook and a bare ssh2 floor on a lab, scale, the cluster playbook, latency (with Mitogen) and 2,000 hosts over shared sshds.
//
// Env knobs: BENCH_NODES (lab size, default 20), BENCH_HOSTS (default 20), BENCH_FORKS (default 20),
// BENCH_SCALE (host counts for the scale runs, default "200,500"; "" skips), BENCH_SKIP=template,ansible,floor,scale,cluster,largecopy,latency,
// BENCH_ONLY=<the same names, plus compare for sections 1 and 2> runs only those sections (e.g. BENCH_ONLY=latency BENCH_NODES=5),
// BENCH_RTTS (the latency section's RTTs in ms, default "0,20,100"), BENCH_LATENCY_HOSTS (default 5),
// BENCH_LATENCY_STRATEGIES (the plays' strategy, "linear,free" by default: Mitogen runs mitogen_linear / mitogen_free),
// BENCH_LATENCY_PROXY (hub: one delaying server in the bench's process, each connection a socat to it, the default;
// process: a Node delaying proxy per connection, as before 2026-12-08), BENCH_LATENCY_ROUNDS (rounds per RTT, medians
// reported, default 3),
// BENCH_SHARED_SCALE (host counts over shared loopback sshds, section 7 'sharedscale', default "200,500,2000"),
// BENCH_SHARED_SSHDS (default 4).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { labExec, labPaths, type LabState } from '../src/commands/lab.js';
import { withBenchLab } from './lab.js';
import { measure, type Measured } from './measure.js';
import { spreadHosts, writeInventory, writePlaybook } from './workload.js';
import { closeControlMasters, ensureAnsible, writeAnsibleConfig } from './ansible.js';
import { ansibleRecap, check, perModule, stackplayRecap } from './recap.js';
import { runFloor } from './floor.js';
import { machine, row, secs, mb, ratio } from './report.js';
import { buildShipped, codeCacheOf, entryEnv, entryOf, type Entry } from './bundle.js';
import { templateBench } from './template.js';
import { largeCopyBench } from './large-copy.js';
import { latencyBench } from './latency.js';
import { sharedSshdScale } from './shared-sshd-scale.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin/stackplay.js');
const num = (v: string | undefined, d: number) => (v && Number.isFinite(Number(v)) ? Number(v) : d);
const NODES = num(process.env.BENCH_NODES, 20);
const HOSTS = num(process.env.BENCH_HOSTS, 20);
const FORKS = num(process.env.BENCH_FORKS, 20);
const SCALE = (process.env.BENCH_SCALE ?? '200,500').split(',').filter(Boolean).map(Number);
const SKIP = new Set((process.env.BENCH_SKIP ?? '').split(',').filter(Boolean));
const ONLY = new Set((process.env.BENCH_ONLY ?? '').split(',').filter(Boolean));
/** Whether a section runs: not skipped, and named by BENCH_ONLY when that is set ('ansible' and 'floor' belong to 'compare'). */
const want = (section: string, within = section) => !SKIP.has(section) && (ONLY.size === 0 || ONLY.has(within));
const RTTS = (process.env.BENCH_RTTS ?? '0,20,100').split(',').filter(Boolean).map(Number);
const LATENCY_HOSTS = num(process.env.BENCH_LATENCY_HOSTS, 5);
const LATENCY_ROUNDS = Math.max(1, Math.floor(num(process.env.BENCH_LATENCY_ROUNDS, 3)));
const LATENCY_STRATEGIES = (process.env.BENCH_LATENCY_STRATEGIES ?? 'linear,free')
  .split(',')
  .filter((x): x is 'linear' | 'free' => x === 'linear' || x === 'free');
const SHARED = (process.env.BENCH_SHARED_SCALE ?? '200,500,2000').split(',').filter(Boolean).map(Number);
const SHARED_SSHDS = num(process.env.BENCH_SHARED_SSHDS, 4);
const log = (s: string) => process.stderr.write(`[bench] ${s}\n`);
const out = (s: string) => process.stdout.write(`${s}\n`);

/**
 * bin/stackplay.js as a user runs it: 'bundle' is the shipped default (dist/stackplay.cjs, rebuilt first so edits
 * made meanwhile by others do not send it to tsx), 'tsx' the sources (STACKPLAY_FROM_SOURCE=1). Checks the entry taken.
 */
async function stackplay(args: string[], entry: Entry): Promise<Measured> {
  const why = entry === 'bundle' ? buildShipped(ROOT) : undefined;
  if (why) throw new Error(why);
  const m = await measure(process.execPath, [BIN, ...args], { cwd: ROOT, env: entryEnv(entry), timeoutMs: 600_000 });
  const took = entryOf(m.stderr);
  if (took !== entry)
    throw new Error(
      `stackplay ran ${took ?? 'an unknown entry'} instead of ${entry} (sources edited during the bench? run it again)\n${m.stderr.slice(-2000)}`,
    );
  const cache = codeCacheOf(m.stderr);
  if (entry === 'bundle' && cache !== 'used') log(`stackplay started without its code cache (${cache}): slower starts`);
  return m;
}

async function makeDirs(s: LabState, dir: string): Promise<void> {
  await Promise.all(s.nodes.map((n) => labExec(s.dir, n.name, `mkdir -p ${dir}`)));
}

/** Sections 1 and 2: stackplay (sources and bundle) against Ansible on HOSTS hosts x 20 tasks, and the bare ssh2 floor. */
async function compare(
  s: LabState,
  work: string,
  dirs: { sp: string; spb: string; ans: string; floor: string },
  noBundle: string | undefined,
): Promise<void> {
  const hosts = spreadHosts(s, HOSTS);
  const inv = writeInventory(s, hosts, join(work, 'bench.ini'));
  const spBook = writePlaybook(join(work, 'sp.yml'), { commands: 10, copies: 10, dir: dirs.sp });
  const spbBook = writePlaybook(join(work, 'spb.yml'), { commands: 10, copies: 10, dir: dirs.spb });
  const ansBook = writePlaybook(join(work, 'ans.yml'), { commands: 10, copies: 10, dir: dirs.ans });
  const tasks = 20;

  // Startup: loading the CLI and the playbook, no connection.
  const startupOf = async (entry: Entry) => {
    const starts: number[] = [];
    for (let i = 0; i < 3; i++)
      starts.push((await stackplay(['run', spBook, '-i', inv, '--list-hosts'], entry)).wallMs);
    return starts.sort((a, b) => a - b)[1]!;
  };
  const startup = await startupOf('tsx');
  const startupB = noBundle ? undefined : await startupOf('bundle');

  out(
    `\n## 1. ${HOSTS} hosts x ${tasks} tasks (10 command: true, 10 copies), forks ${FORKS}, lab of ${s.nodes.length} nodes`,
  );
  out(
    `stackplay startup (run --list-hosts, median of 3): ${startupB !== undefined ? `${secs(startupB)} as shipped (bundle, dist/stackplay.cjs), ` : ''}${secs(startup)} from the sources (tsx, STACKPLAY_FROM_SOURCE=1)${noBundle ? ` (no bundle: ${noBundle})` : ''}`,
  );
  const spArgs = (book: string) => ['run', book, '-i', inv, '-f', String(FORKS), '--output', 'json'];
  log('stackplay (tsx) first run');
  const sp1 = await stackplay(spArgs(spBook), 'tsx');
  check('stackplay first run', sp1, stackplayRecap(sp1), HOSTS * 10);
  log('stackplay (tsx) rerun');
  const sp2 = await stackplay(spArgs(spBook), 'tsx');
  check('stackplay rerun', sp2, stackplayRecap(sp2), 0);
  let spB1: Measured | undefined;
  let spB2: Measured | undefined;
  if (!noBundle) {
    log('stackplay (bundled) first run');
    spB1 = await stackplay(spArgs(spbBook), 'bundle');
    check('stackplay bundled first run', spB1, stackplayRecap(spB1), HOSTS * 10);
    log('stackplay (bundled) rerun');
    spB2 = await stackplay(spArgs(spbBook), 'bundle');
    check('stackplay bundled rerun', spB2, stackplayRecap(spB2), 0);
  }

  let ans1: Measured | undefined;
  let ans2: Measured | undefined;
  let ansNote = 'skipped (BENCH_SKIP)';
  if (want('ansible', 'compare')) {
    const a = ensureAnsible(log);
    if ('missing' in a) ansNote = `not run: ${a.missing}`;
    else {
      ansNote = a.version;
      const cfgDir = join(work, 'ansible');
      const cfg = writeAnsibleConfig(cfgDir, labPaths(s.dir).knownHosts, FORKS);
      const env = { ...process.env, ANSIBLE_CONFIG: cfg, ANSIBLE_NOCOLOR: '1', ANSIBLE_HOME: cfgDir };
      try {
        log('ansible first run');
        ans1 = await measure(a.path, ['-i', inv, ansBook], { env, timeoutMs: 900_000 });
        check('ansible first run', ans1, ansibleRecap(ans1), HOSTS * 10);
        log('ansible rerun');
        ans2 = await measure(a.path, ['-i', inv, ansBook], { env, timeoutMs: 900_000 });
        check('ansible rerun', ans2, ansibleRecap(ans2), 0);
      } finally {
        closeControlMasters(join(cfgDir, 'cp'));
      }
    }
  }
  out(`ansible: ${ansNote}`);
  out(
    row([
      'run',
      'stackplay (tsx)',
      'stackplay (bundled)',
      'ansible',
      'ansible/stackplay (tsx / bundled)',
      'stackplay RSS (tsx / bundled)',
      'ansible RSS (largest process / tree)',
    ]),
  );
  for (const [name, sp, spb, an] of [
    ['first run', sp1, spB1, ans1],
    ['rerun', sp2, spB2, ans2],
  ] as const) {
    out(
      row([
        name,
        secs(sp.wallMs),
        spb ? secs(spb.wallMs) : '-',
        an ? secs(an.wallMs) : '-',
        an ? `${ratio(an.wallMs, sp.wallMs)} / ${spb ? ratio(an.wallMs, spb.wallMs) : '-'}` : '-',
        `${mb(sp.maxRssMb)} / ${spb ? mb(spb.maxRssMb) : '-'}`,
        an ? `${mb(an.maxRssMb)} / ${mb(an.treeRssMb)}` : '-',
      ]),
    );
  }
  out(`stackplay mean host time per task: first run ${perModule(sp1)}; rerun ${perModule(sp2)}`);

  if (want('floor', 'compare')) {
    out(
      `\n## 2. floor: bare ssh2, one connection per host, the same ${tasks} commands one after another, ${FORKS} hosts at a time`,
    );
    log('floor');
    const floor = await runFloor(s, hosts, { commands: 10, copies: 10, dir: dirs.floor, forks: FORKS });
    out(`floor: ${secs(floor)} (in-process, no startup)`);
    if (spB1 && spB2 && startupB !== undefined) {
      out(
        `stackplay/floor: ${ratio(spB1.wallMs, floor)} first run as the user runs it (bundle); ${ratio(spB1.wallMs - startupB, floor)} without the CLI startup (${secs(startupB)})`,
      );
      out(
        `stackplay rerun/floor: ${ratio(spB2.wallMs, floor)}; ${ratio(spB2.wallMs - startupB, floor)} without startup`,
      );
    }
    out(
      `stackplay (tsx)/floor: ${ratio(sp1.wallMs, floor)} first run; ${ratio(sp1.wallMs - startup, floor)} without the CLI startup (${secs(startup)}); rerun ${ratio(sp2.wallMs, floor)}`,
    );
  }
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'stackplay-bench-'));
  const remote = `/tmp/spb-bench-${process.pid}`;
  try {
    out(`# stackplay benchmarks, ${new Date().toISOString()}`);
    out(machine());
    if (want('template')) for (const line of templateBench()) out(line);
    if (want('sharedscale') && SHARED.length) {
      const noBundle = buildShipped(ROOT);
      out(`\n## 7. scale over shared sshds, ${noBundle ? 'CLI through tsx (no bundle)' : 'CLI as shipped (bundle)'}`);
      const lines = await sharedSshdScale({
        work,
        counts: SHARED,
        sshds: SHARED_SSHDS,
        forks: FORKS,
        stackplay: (args) => stackplay(args, noBundle ? 'tsx' : 'bundle'),
        log,
      });
      for (const line of lines) out(line);
    }
    const labSections = ['compare', 'scale', 'cluster', 'largecopy', 'latency'];
    if (!labSections.some((x) => want(x))) return;
    await withBenchLab({ nodes: NODES, dir: join(work, 'lab'), log }, async (s) => {
      const dirs = { sp: `${remote}/sp`, spb: `${remote}/spb`, ans: `${remote}/ans`, floor: `${remote}/floor` };
      for (const d of Object.values(dirs)) await makeDirs(s, d);
      const noBundle = buildShipped(ROOT);
      const shipped: Entry = noBundle ? 'tsx' : 'bundle';
      if (want('compare')) await compare(s, work, dirs, noBundle);
      // Scale and cluster runs use the CLI as shipped: the bundle, or tsx when it could not be built; the table says which.
      const cliName = shipped === 'bundle' ? 'CLI as shipped (bundle)' : 'CLI through tsx (no bundle)';
      if (want('scale') && SCALE.length) {
        out(
          `\n## 3. scale: stackplay alone, 10 tasks per host (5 command: true, 5 copies), forks ${FORKS}, ${cliName}; hosts are inventory entries spread over the ${s.nodes.length} lab nodes (one sshd each), each its own connection`,
        );
        out(
          row([
            'hosts',
            'first run',
            'controller peak RSS',
            'tree RSS (with the proxy processes)',
            'mean host time per task',
          ]),
        );
        for (const n of SCALE) {
          const sh = spreadHosts(s, n, 's');
          const d = `${remote}/scale${n}`;
          await makeDirs(s, d);
          const sinv = writeInventory(s, sh, join(work, `scale${n}.ini`));
          const book = writePlaybook(join(work, `scale${n}.yml`), { commands: 5, copies: 5, dir: d });
          log(`scale ${n} first run`);
          const m1 = await stackplay(['run', book, '-i', sinv, '-f', String(FORKS), '--output', 'json'], shipped);
          check(`scale ${n}`, m1, stackplayRecap(m1), n * 5);
          out(row([String(n), secs(m1.wallMs), mb(m1.maxRssMb), mb(m1.treeRssMb), perModule(m1)]));
        }
      }

      if (want('cluster')) {
        out(
          `\n## 4. playbooks/cluster.yml on 8 nodes of the lab (core1 router1 router2 data1 stager1 dea1 dea2 lb1), ${cliName}`,
        );
        const roles = join(work, 'roles.ini');
        writeFileSync(
          roles,
          `[core]\ncore1\n[router]\nrouter1\nrouter2\n[data_services]\ndata1\n[stager]\nstager1\n[dea]\ndea1\ndea2\n[load_balancer]\nlb1\n[all:vars]\ncluster_fqdn=stackato.bench\nnetmask=255.255.255.0\ngateway=${s.layout.subnet}.1\n`,
        );
        const args = ['run', 'playbooks/cluster.yml', '-i', labPaths(s.dir).inventory, '-i', roles, '--output', 'json'];
        out(row(['run', 'wall', 'changed', 'peak RSS']));
        for (const [name, extra] of [
          ['--check (bare nodes)', ['--check']],
          ['first run', []],
          ['rerun', []],
          ['--check (built)', ['--check']],
        ] as const) {
          log(`cluster ${name}`);
          const m = await stackplay([...args, ...extra], shipped);
          const r = stackplayRecap(m);
          if (m.code !== 0)
            throw new Error(`cluster ${name}: exit ${m.code}\n${m.stdout.slice(-3000)}\n${m.stderr.slice(-2000)}`);
          out(row([name, secs(m.wallMs), String(r.changed), mb(m.maxRssMb)]));
        }
      }

      if (want('largecopy')) {
        out(`\n## 5. one 200 MB copy (random bytes, copy src=) to one lab node, ${cliName}`);
        log('large copy');
        await makeDirs(s, `${remote}/large`);
        const lines = await largeCopyBench(
          s,
          work,
          `${remote}/large`,
          (args) => stackplay(args, shipped),
          (m) => stackplayRecap(m).changed,
        );
        for (const line of lines) out(line);
      }

      if (want('latency') && RTTS.length) {
        out(`\n## 6. latency: through a delaying proxy at RTT ${RTTS.join(', ')} ms, ${cliName}`);
        for (const strategy of LATENCY_STRATEGIES) {
          const lines = await latencyBench({
            s,
            work,
            remote,
            hosts: Math.min(LATENCY_HOSTS, s.nodes.length),
            rtts: RTTS,
            stackplay: (args) => stackplay(args, shipped),
            stackplayName: shipped,
            makeDirs: (d) => makeDirs(s, d),
            log,
            strategy,
            proxy: process.env.BENCH_LATENCY_PROXY === 'process' ? 'process' : 'hub',
            rounds: LATENCY_ROUNDS,
          });
          for (const line of lines) out(line);
        }
      }
    });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().then(
  () => {
    process.exitCode = 0;
  },
  (e: unknown) => {
    log(`failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    process.exitCode = 1;
  },
);
