#!/usr/bin/env node
// Entry point: runs the bundle (dist/stackplay.mjs) when it was built from the current sources, else the TypeScript through tsx.
import { fileURLToPath, pathToFileURL } from 'node:url';
import { checkBundle } from './bundle-guard.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const bundle = process.env.STACKPLAY_FROM_SOURCE === '1' ? { stale: 'STACKPLAY_FROM_SOURCE=1' } : checkBundle(root);
if (process.env.STACKPLAY_DEBUG_ENTRY === '1') {
  process.stderr.write(
    `stackplay: entry ${'path' in bundle ? bundle.path : `src/cli.ts through tsx (${bundle.stale})`}\n`,
  );
}

let main;
if ('path' in bundle) ({ main } = await import(pathToFileURL(bundle.path).href));
else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/cli.ts'));
}
process.exitCode = await main(process.argv);
