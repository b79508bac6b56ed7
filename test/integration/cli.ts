// Runs the real CLI in a child process (to its end, or watched while it runs) and parses its NDJSON events.
import { spawn } from 'node:child_process';
import type { ExecutionContext } from 'ava';
import { fileURLToPath } from 'node:url';
import type { RunEvent } from '../../src/report/events.js';

export const BIN = fileURLToPath(new URL('../../bin/stackplay.js', import.meta.url));

/**
 * How long a CLI child may run before it is killed. No timed assertion: it only turns "would wait
 * forever" into a failure. Generous, as a run that takes 10 s on an idle machine can take minutes under load.
 */
export const CLI_DEADLINE_MS = 600_000;

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  events: RunEvent[];
}

export function runCli(
  args: string[],
  opts: { timeoutMs?: number; env?: Record<string, string> } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? CLI_DEADLINE_MS);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const events = stdout
        .split('\n')
        .filter((l) => l.startsWith('{"type"'))
        .map((l) => JSON.parse(l) as RunEvent);
      resolve({ code, stdout, stderr, events });
    });
  });
}

export const recapOf = (r: CliResult) => {
  const end = r.events.find((e) => e.type === 'run:end');
  if (end?.type !== 'run:end') throw new Error(`no run:end event\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
  return end.recap;
};

/** Round trips per host from the run:end event (beyond connecting). */
export function tripsOf(r: CliResult): Record<string, number> {
  const end = r.events.find((e): e is Extract<RunEvent, { type: 'run:end' }> => e.type === 'run:end');
  if (!end?.roundTrips) throw new Error(`no round trips in run:end\n${r.stdout}\n${r.stderr}`);
  return end.roundTrips;
}

export interface RunningCli {
  result(): CliResult;
  events(): RunEvent[];
  ended(): boolean;
  /** Sends a signal; SIGKILL (the default) ends the controller without any cleanup. */
  kill(signal?: NodeJS.Signals): void;
  /** The exit code; the child is killed (and the test fails on the null code) after `deadlineMs`. */
  done: Promise<number | null>;
}

/**
 * The CLI in a child process, watched while it runs. The deadline is no timed assertion: it only
 * turns "would wait forever" into a failure instead of a hung test.
 */
export function startCli(
  t: ExecutionContext,
  args: string[],
  deadlineMs = CLI_DEADLINE_MS,
  env: Record<string, string> = {},
): RunningCli {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const timer = setTimeout(() => {
    stderr += `\n[test] the CLI ran past ${deadlineMs} ms: killed\n`;
    child.kill('SIGKILL');
  }, deadlineMs);
  t.teardown(() => {
    clearTimeout(timer);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const done = new Promise<number | null>((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve(code);
    }),
  );
  const events = () =>
    stdout
      .split('\n')
      .filter((l) => l.startsWith('{"type"'))
      .map((l) => JSON.parse(l) as RunEvent);
  return {
    result: () => ({ code: child.exitCode, stdout, stderr, events: events() }),
    events,
    ended: () => child.exitCode !== null || child.signalCode !== null,
    kill: (signal: NodeJS.Signals = 'SIGKILL') => {
      child.kill(signal);
    },
    done,
  };
}

/** Waits for `what`; throws once the CLI has ended, so a broken run fails the test instead of hanging it. */
export async function until(what: () => boolean, cli: RunningCli, description: string): Promise<void> {
  while (!what()) {
    if (cli.ended())
      throw new Error(
        `the CLI ended before ${description}\n${cli.result().stdout.slice(-3000)}\n${cli.result().stderr}`,
      );
    await new Promise((r) => setTimeout(r, 100));
  }
}
