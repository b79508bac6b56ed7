// A throwaway copy of the project (node_modules linked) to build and run the bundled CLI without touching the checkout.
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));

const COPIED = [
  'src',
  'modules',
  'bin',
  'scripts',
  'package.json',
  'package-lock.json',
  'tsconfig.json',
  'playbooks',
  'inventory',
  'test/fixtures/playbooks',
];

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A copy of what the CLI and its build need; `dispose` removes it. */
export function copyProject(): { dir: string; dispose: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'stackplay-copy-'));
  for (const p of COPIED) {
    mkdirSync(join(dir, p, '..'), { recursive: true });
    cpSync(join(REPO, p), join(dir, p), { recursive: true });
  }
  symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'));
  return { dir, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

export function runNode(cwd: string, args: string[], env: Record<string, string> = {}): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd,
      env: { ...process.env, STACKPLAY_FROM_SOURCE: '0', ...env },
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
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** `npm run build` in the copy. */
export const build = (dir: string, ...flags: string[]) => runNode(dir, ['scripts/build.mjs', ...flags]);

/**
 * bin/stackplay.js in the copy; `entry` is what it says it loaded (STACKPLAY_DEBUG_ENTRY) and `cache` what became of
 * the bundle's code cache (used, rejected, none, not this bundle); `sources` how bin found the bundle current (`stat`:
 * every input kept its recorded stat; `content`: hashed); `stderr` is without that line.
 */
export async function stackplay(
  dir: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<Ran & { entry: 'bundle' | 'tsx' | undefined; cache: string | undefined; sources: string | undefined }> {
  const r = await runNode(dir, ['bin/stackplay.js', ...args], { STACKPLAY_DEBUG_ENTRY: '1', ...env });
  const line = /^stackplay: entry (.*)\n/m.exec(r.stderr);
  const entry = !line
    ? undefined
    : line[1]!.startsWith(`${join(dir, 'dist/stackplay.cjs')} (code cache: `)
      ? 'bundle'
      : line[1]!.startsWith('src/cli.ts through tsx')
        ? 'tsx'
        : undefined;
  const cache = line ? /\(code cache: ([^)]*)\)/.exec(line[1]!)?.[1] : undefined;
  const sources = line ? /\(sources checked by (\w+)\)/.exec(line[1]!)?.[1] : undefined;
  return { ...r, stderr: line ? r.stderr.replace(line[0], '') : r.stderr, entry, cache, sources };
}
