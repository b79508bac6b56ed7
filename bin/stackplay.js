#!/usr/bin/env node
// Entry point: runs the bundle (dist/stackplay.cjs) when it was built from the current sources, else the TypeScript through tsx.
import { fileURLToPath } from 'node:url';
import { checkBundle } from './bundle-guard.js';
import { loadBundle } from './code-cache.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const bundle = process.env.STACKPLAY_FROM_SOURCE === '1' ? { stale: 'STACKPLAY_FROM_SOURCE=1' } : checkBundle(root);

const sayEntry = (entry) => {
  if (process.env.STACKPLAY_DEBUG_ENTRY === '1') process.stderr.write(`stackplay: entry ${entry}\n`);
};

let main;
if ('path' in bundle) {
  const loaded = loadBundle(bundle.path);
  ({ main } = loaded.exports);
  sayEntry(`${bundle.path} (code cache: ${loaded.cache}) (sources checked by ${bundle.checked})`);
} else {
  sayEntry(`src/cli.ts through tsx (${bundle.stale})`);
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/cli.ts'));
}
process.exitCode = await main(process.argv);
