import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadForRun } from '../src/run.ts';
const inv = process.argv[2]!;
for (const dir of process.argv.slice(3)) for (const name of readdirSync(dir).filter((f) => f.endsWith('.yml')).sort()) {
  const r = loadForRun({ playbook: join(dir, name), inventories: [inv], extraVars: ['out=/tmp/x'] });
  const u = r.diagnostics.filter((d) => d.code === 'E_UNDEFINED_VAR');
  if (u.length) console.log(dir, name, '::', u.map((d) => `${d.message} @${d.at?.line}:${d.at?.col}`).join(' | '));
}
