// An esbuild bundle of the CLI (dist/bench/stackplay.mjs; npm packages stay external) to show what the tsx start costs.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** Builds the bundle; returns its path, or why it could not be built. */
export function bundleCli(root: string): { path: string } | { missing: string } {
  const esbuild = join(root, 'node_modules/.bin/esbuild');
  if (!existsSync(esbuild)) return { missing: 'node_modules/.bin/esbuild not found' };
  const out = join(root, 'dist/bench/stackplay.mjs');
  mkdirSync(join(root, 'dist/bench'), { recursive: true });
  const r = spawnSync(esbuild, [join(root, 'src/cli.ts'), '--bundle', '--platform=node', '--format=esm', '--target=node20',
    '--packages=external', `--outfile=${out}`, '--log-level=error'], { encoding: 'utf8', cwd: root });
  return r.status === 0 ? { path: out } : { missing: `esbuild failed: ${(r.stderr || String(r.error)).trim()}` };
}
