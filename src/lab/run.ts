// Running host commands for the lab: captured output, explicit failures, no shell in between.
import { spawn } from 'node:child_process';
import { StackplayError } from '../errors.js';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  input?: string;
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

export function run(cmd: string, args: readonly string[], o: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], env: o.env ?? process.env });
    let stdout = '';
    let stderr = '';
    const timer = o.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), o.timeoutMs) : undefined;
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', (e) => {
      if (timer) clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
    child.stdin.on('error', () => {
      /* the command may exit before reading its input */
    });
    child.stdin.end(o.input ?? '');
  });
}

/** A lab failure with a hint for the user (code E_LAB): print message and hint, exit 1. */
export class LabError extends StackplayError {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super('E_LAB', message);
  }
}

/** Runs a command that must succeed; a failure names the command and its stderr. */
export async function runOk(cmd: string, args: readonly string[], o: RunOptions = {}): Promise<string> {
  const r = await run(cmd, args, o);
  if (r.code !== 0) {
    throw new LabError(
      `\`${[cmd, ...args].join(' ')}\` failed (exit ${r.code}): ${(r.stderr || r.stdout).trim().slice(0, 500)}`,
    );
  }
  return r.stdout;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it returns true or `ms` elapses. */
export async function waitFor(check: () => Promise<boolean> | boolean, ms: number, stepMs = 50): Promise<boolean> {
  const end = Date.now() + ms;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= end) return false;
    await sleep(stepMs);
  }
}
