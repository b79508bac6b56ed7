// Runs a command as a child and measures its wall time and peak memory (process tree RSS and its largest process).
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';

export interface Measured {
  code: number | null;
  wallMs: number;
  /** Largest resident set of one process of the run (getrusage via /usr/bin/time -v), in MB. */
  maxRssMb: number | undefined;
  /** Peak of the summed RSS of the whole process tree, sampled every 100 ms, in MB. */
  treeRssMb: number;
  stdout: string;
  stderr: string;
}

const TIME = '/usr/bin/time';

function children(): Map<number, number[]> {
  const kids = new Map<number, number[]>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = kids.get(ppid) ?? [];
      list.push(Number(d));
      kids.set(ppid, list);
    } catch {
      /* gone */
    }
  }
  return kids;
}

function rssKb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

function treeRssKb(root: number): number {
  const kids = children();
  let sum = 0;
  const stack = [root];
  while (stack.length) {
    const p = stack.pop()!;
    sum += rssKb(p);
    stack.push(...(kids.get(p) ?? []));
  }
  return sum;
}

export function measure(
  cmd: string,
  args: string[],
  o: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<Measured> {
  const useTime = existsSync(TIME);
  const argv = useTime ? ['-f', 'BENCH_MAXRSS_KB=%M', cmd, ...args] : args;
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(useTime ? TIME : cmd, argv, {
      cwd: o.cwd,
      env: o.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let peak = 0;
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const sampler = setInterval(() => {
      if (child.pid) peak = Math.max(peak, treeRssKb(child.pid));
    }, 100);
    const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 600_000);
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = performance.now() - start;
      clearInterval(sampler);
      clearTimeout(timer);
      const m = /BENCH_MAXRSS_KB=(\d+)/.exec(stderr);
      resolve({
        code,
        wallMs,
        maxRssMb: m ? Number(m[1]) / 1024 : undefined,
        treeRssMb: peak / 1024,
        stdout,
        stderr: stderr.replace(/BENCH_MAXRSS_KB=\d+\n?/, ''),
      });
    });
  });
}
