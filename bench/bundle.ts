// The CLI as shipped: bin/stackplay.js runs dist/stackplay.cjs when it is current, or the sources through tsx (STACKPLAY_FROM_SOURCE=1).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

export type Entry = 'bundle' | 'tsx';

/** The environment that makes bin/stackplay.js take that entry and say on stderr which one it took. */
export const entryEnv = (entry: Entry): NodeJS.ProcessEnv => ({
  ...process.env,
  STACKPLAY_DEBUG_ENTRY: '1',
  STACKPLAY_FROM_SOURCE: entry === 'tsx' ? '1' : '0',
});

/** The entry a run took, from bin/stackplay.js's STACKPLAY_DEBUG_ENTRY line. */
export function entryOf(stderr: string): Entry | undefined {
  const m = /^stackplay: entry (.*)$/m.exec(stderr);
  if (!m) return undefined;
  return m[1]!.startsWith('src/cli.ts through tsx')
    ? 'tsx'
    : m[1]!.includes('dist/stackplay.cjs')
      ? 'bundle'
      : undefined;
}

/** `npm run build` (what `npm ci` did), so the bundle matches the sources as they are now; undefined, or why it failed. */
export function buildShipped(root: string): string | undefined {
  const r = spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { encoding: 'utf8', cwd: root });
  return r.status === 0 ? undefined : `npm run build failed: ${(r.stderr || String(r.error)).trim()}`;
}

/** What became of the bundle's code cache in a run (used, rejected, damaged, not this bundle, none). */
export const codeCacheOf = (stderr: string): string | undefined =>
  /^stackplay: entry .*\(code cache: ([^)]*)\)/m.exec(stderr)?.[1];
