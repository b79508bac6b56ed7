// What one run of a case left behind, in a form both runners produce: exit class, recap, debug output, files.
import { lstat, readFile, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';

export type ExitClass = 'ok' | 'host-failed' | 'parse-error' | 'unreachable' | 'internal' | `exit ${number}`;

export interface Counts {
  ok: number;
  changed: number;
  failed: number;
  unreachable: number;
  skipped: number;
  ignored: number;
  rescued: number;
}

export interface Observed {
  exit: ExitClass;
  recap: Record<string, Counts>;
  /** Per host, in run order: each debug's msg, or { var: value } for `debug: var=`. */
  debug: Record<string, unknown[]>;
  /** Relative path -> "dir 0755", "file 0644 <content>" or "link -> target". */
  files: Record<string, string>;
}

/** The only normalisation: each runner works in its own temp dir, so that path reads `<dir>` in output and files. */
export function normalisePaths<T>(value: T, dir: string): T {
  return JSON.parse(JSON.stringify(value).split(dir).join('<dir>')) as T;
}

/** Every file, folder and link under `dir` with its mode and content. */
export async function snapshotFiles(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (rel: string): Promise<void> => {
    for (const name of (await readdir(join(dir, rel))).sort()) {
      const path = rel ? `${rel}/${name}` : name;
      const full = join(dir, path);
      const st = await lstat(full);
      const mode = (st.mode & 0o7777).toString(8).padStart(4, '0');
      if (st.isSymbolicLink()) out[path] = `link -> ${await readlink(full)}`;
      else if (st.isDirectory()) {
        out[path] = `dir ${mode}`;
        await walk(path);
      } else out[path] = `file ${mode} ${(await readFile(full, 'utf8')).split(dir).join('<dir>')}`;
    }
  };
  await walk('');
  return out;
}

export const counts = (c: Partial<Counts>): Counts => ({
  ok: c.ok ?? 0,
  changed: c.changed ?? 0,
  failed: c.failed ?? 0,
  unreachable: c.unreachable ?? 0,
  skipped: c.skipped ?? 0,
  ignored: c.ignored ?? 0,
  rescued: c.rescued ?? 0,
});
