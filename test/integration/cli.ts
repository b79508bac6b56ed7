// Runs the real CLI in a child process and parses its NDJSON events.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { RunEvent } from '../../src/report/events.js';

export const BIN = fileURLToPath(new URL('../../bin/stackplay.js', import.meta.url));

export interface CliResult { code: number | null; stdout: string; stderr: string; events: RunEvent[] }

export function runCli(args: string[], opts: { timeoutMs?: number; env?: Record<string, string> } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const events = stdout.split('\n').filter((l) => l.startsWith('{"type"')).map((l) => JSON.parse(l) as RunEvent);
      resolve({ code, stdout, stderr, events });
    });
  });
}

export const recapOf = (r: CliResult) => {
  const end = r.events.find((e) => e.type === 'run:end');
  if (!end || end.type !== 'run:end') throw new Error(`no run:end event\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
  return end.recap;
};
