// Builds the kato emulator into one ES module (<dir>/kato.mjs) so each `kato` call starts fast.
// esbuild comes with tsx; without it the nodes run the TypeScript through tsx (slower start).
import { existsSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { projectRoot } from './rootfs.js';
import { run } from './run.js';

export const katoSource = join(projectRoot, 'src', 'lab', 'kato', 'main.ts');

function esbuildBinary(): string | null {
  try {
    const req = createRequire(join(projectRoot, 'package.json'));
    const fromTsx = createRequire(req.resolve('tsx/package.json'));
    const bin = join(dirname(fromTsx.resolve('esbuild/package.json')), 'bin', 'esbuild');
    return existsSync(bin) ? bin : null;
  } catch {
    return null;
  }
}

/** Writes `out` and returns it; the file runs with plain `node out ARGS`. */
export async function bundleKato(out: string, log: (line: string) => void): Promise<string> {
  const esbuild = esbuildBinary();
  if (esbuild) {
    const r = await run(esbuild, [
      katoSource,
      '--bundle',
      '--platform=node',
      '--format=esm',
      '--target=node20',
      `--outfile=${out}.tmp`,
      '--log-level=warning',
      // Bundled CommonJS dependencies may call require(); give them one.
      "--banner:js=import { createRequire as __labRequire } from 'node:module'; const require = __labRequire(import.meta.url);",
    ]);
    // Renamed into place, so a kato starting on a node meanwhile never reads half a file.
    if (r.code === 0) {
      renameSync(`${out}.tmp`, out);
      return out;
    }
    log(`lab: esbuild could not bundle kato (${r.stderr.trim().split('\n')[0]}); nodes will run it through tsx`);
  }
  const tsx = createRequire(join(projectRoot, 'package.json')).resolve('tsx');
  writeFileSync(
    `${out}.tmp`,
    `// kato through tsx (esbuild was not available)\nimport ${JSON.stringify(pathToFileURL(tsx).href)};\nawait import(${JSON.stringify(pathToFileURL(katoSource).href)});\n`,
  );
  renameSync(`${out}.tmp`, out);
  return out;
}
