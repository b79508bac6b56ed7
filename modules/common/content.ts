// Planning a whole-file write (copy, template): content, then mode / owner / group.
import { exec, sh, write, type HostView, type Plan, type Step } from '../../src/sdk.js';
import { fileStatContent, type FileStat } from '../facts/files.js';
import { planAttrs } from './attrs.js';
import type { Attrs } from './params.js';

export interface ContentFacts {
  stat: FileStat;
  /** Current content; null when there is no regular file. */
  current: string | null;
  /** Temp files an interrupted write left beside dest (full paths). */
  leftovers: string[];
  /** Wanted content, or why it could not be produced (missing source, template error). */
  wanted: { content: string } | { error: string };
}

export interface ContentParams extends Attrs {
  dest: string;
  secret: boolean;
}

/** Reads what is at dest now: stat, content and leftover temp files in one probe. */
export async function gatherDest(
  host: HostView,
  dest: string,
): Promise<Pick<ContentFacts, 'stat' | 'current' | 'leftovers'>> {
  const { stat, content, leftovers } = await host.fact(fileStatContent, dest);
  return { stat, current: content, leftovers };
}

/** A write cut short (link lost, node down) leaves its temp file: removed, and shown as a change. */
const removeLeftovers = (leftovers: readonly string[]): Step[] =>
  leftovers.map((path) => exec(`remove leftover temp file ${path} of an interrupted write`, sh`rm -f -- ${path}`));

export function planContent(f: ContentFacts, p: ContentParams): Plan {
  if ('error' in f.wanted) return { steps: [], fail: f.wanted.error };
  const { stat } = f;
  if (stat.exists && stat.type === 'directory')
    return { steps: [], fail: `${p.dest} is a directory; dest must name the file itself` };
  if (stat.exists && stat.type === 'link')
    return { steps: [], fail: `${p.dest} is a symbolic link (to ${stat.target}); set dest to the file it points to` };
  if (stat.exists && stat.type !== 'file') return { steps: [], fail: `${p.dest} exists and is not a regular file` };
  const content = f.wanted.content;
  const steps: Step[] = removeLeftovers(f.leftovers);
  const extra = p.secret ? { secret: true } : {};
  if (!stat.exists) {
    steps.push(write(p.dest, null, content, { ...extra, ...(p.mode ? { mode: p.mode } : {}) }));
    steps.push(...planAttrs(p.dest, null, p, true));
  } else if (f.current !== content) {
    const mode = p.mode ?? stat.mode;
    const title = `update ${p.dest}${mode !== stat.mode ? ` (mode ${stat.mode} -> ${mode})` : ''}`;
    // The transport writes a new file and renames it over the old one: mode and owner would be the
    // new file's, so both are given again (kept, or changed as asked).
    steps.push(write(p.dest, f.current, content, { ...extra, mode, title }));
    const owner = `${p.owner ?? stat.owner}:${p.group ?? stat.group}`;
    const was = `${stat.owner}:${stat.group}`;
    steps.push(
      exec(owner === was ? `keep owner ${owner}` : `~ owner: ${was} -> ${owner}`, sh`chown ${owner} -- ${p.dest}`),
    );
  } else {
    steps.push(...planAttrs(p.dest, stat, p));
  }
  return steps.length ? { steps } : { steps, note: `${p.dest} is up to date` };
}
