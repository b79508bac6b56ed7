// Lab processes by recorded PID and start time: spawn detached, check alive, end without hitting a recycled PID.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { sleep } from './run.js';

/** A process the lab started: its PID plus the kernel start time, so a recycled PID is never mistaken for it. */
export interface ProcRecord {
  pid: number;
  start: string;
  what: string;
}

/** Field 22 of /proc/PID/stat (start time in clock ticks since boot), or null when the PID is gone. */
export function startTimeOf(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces; count fields after its last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const state = rest[0];
    if (state === 'Z' || state === 'X') return null;
    return rest[19] ?? null;
  } catch {
    return null;
  }
}

export const isAlive = (r: ProcRecord | undefined): boolean => !!r && startTimeOf(r.pid) === r.start;

export function recordOf(pid: number, what: string): ProcRecord {
  return { pid, start: startTimeOf(pid) ?? '', what };
}

/** Starts a long-lived process in its own session with output to a log file; it outlives the caller. */
export function spawnDetached(
  cmd: string,
  args: readonly string[],
  log: string,
  what: string,
  env?: NodeJS.ProcessEnv,
): ProcRecord {
  const fd = openSync(log, 'a');
  try {
    const child = spawn(cmd, args, { detached: true, stdio: ['ignore', fd, fd], env: env ?? process.env });
    child.on('error', () => {
      /* reported by the caller's readiness check */
    });
    child.unref();
    if (child.pid === undefined) throw new Error(`could not start ${cmd}`);
    return recordOf(child.pid, what);
  } finally {
    closeSync(fd);
  }
}

/** How a signal reaches a process: the lab signals its own directly; kato goes through sudo for root's. */
export type Signaller = (r: ProcRecord, sig: NodeJS.Signals) => void | Promise<void>;

const direct: Signaller = (r, sig) => {
  try {
    process.kill(r.pid, sig);
  } catch {
    /* already gone */
  }
};

/**
 * Ends the recorded processes: SIGTERM, then SIGKILL for those still alive after `graceMs`.
 * With `graceMs` 0 it is SIGKILL straight away. A record whose PID now belongs to another process
 * (start time differs) is left alone.
 */
export async function endProcesses(
  records: readonly ProcRecord[],
  graceMs = 3000,
  signal: Signaller = direct,
): Promise<ProcRecord[]> {
  const live = records.filter(isAlive);
  if (graceMs > 0) for (const r of live) await signal(r, 'SIGTERM');
  const end = Date.now() + graceMs;
  while (live.some(isAlive) && Date.now() < end) await sleep(50);
  const stubborn = live.filter(isAlive);
  for (const r of stubborn) await signal(r, 'SIGKILL');
  const killEnd = Date.now() + 2000;
  while (stubborn.some(isAlive) && Date.now() < killEnd) await sleep(50);
  return live;
}
