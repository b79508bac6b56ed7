// The differential cases: one folder each under cases/, a playbook.yml, optional case.json ({ "args": [...] }),
// optional inventory.ini (default: one local host, localhost) and files.
import { cp, mkdir, mkdtemp, readFile, readdir, rename, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CASES_DIR = fileURLToPath(new URL('./cases/', import.meta.url));

export interface Case {
  name: string;
  /** Extra command-line arguments given to both runners (-e, -t, --skip-tags). */
  args: string[];
}

export async function listCases(): Promise<Case[]> {
  const names = (await readdir(CASES_DIR, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
  return Promise.all(
    names.sort().map(async (name) => {
      const meta = join(CASES_DIR, name, 'case.json');
      const args = existsSync(meta)
        ? ((JSON.parse(await readFile(meta, 'utf8')) as { args?: string[] }).args ?? [])
        : [];
      return { name, args };
    }),
  );
}

/** A fresh copy of the case to run in: `work` holds the playbook and its files, the inventory sits beside it. */
export async function stageCase(c: Case, runner: string): Promise<{ base: string; work: string; inventory: string }> {
  const base = await mkdtemp(join(tmpdir(), `stackplay-diff-${runner}-`));
  const work = join(base, 'work');
  await mkdir(work);
  await cp(join(CASES_DIR, c.name), work, { recursive: true });
  const inventory = join(base, 'inventory.ini');
  // A case's own inventory (several ansible_connection=local hosts, say) sits beside its work folder, not in it.
  if (existsSync(join(work, 'inventory.ini'))) await rename(join(work, 'inventory.ini'), inventory);
  else await writeFile(inventory, 'localhost ansible_connection=local\n');
  return { base, work, inventory };
}
