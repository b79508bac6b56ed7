// Planning a whole-file write (copy, template, the in-place editors): content by sha256, then mode / owner / group.
import { exec, sh, sumOf, write, type HostView, type Plan, type Step, type WriteContent } from '../../src/sdk.js';
import { fileStatLeftovers, type FileStat } from '../facts/files.js';
import { planAttrs } from './attrs.js';
import type { Attrs } from './params.js';

/** What is at dest: its stat (a regular file's size and sha256 computed on the host) and leftover temp files. */
export interface DestFacts {
  stat: FileStat;
  /** Temp files an interrupted write left beside dest (full paths). */
  leftovers: string[];
}

export interface ContentFacts extends DestFacts {
  /** Wanted content (text, or a controller file by size and sha256), or why it could not be produced. */
  wanted: { content: WriteContent } | { error: string };
}

export interface ContentParams extends Attrs {
  dest: string;
  secret: boolean;
}

/** What is at dest now, in one probe that never downloads the file. */
export const gatherDest = (host: HostView, dest: string): Promise<DestFacts> => host.fact(fileStatLeftovers, dest);

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
  } else if (stat.sha256 !== sumOf(content).sha256) {
    const mode = p.mode ?? stat.mode;
    const title = `update ${p.dest}${mode !== stat.mode ? ` (mode ${stat.mode} -> ${mode})` : ''}`;
    // The transport writes a new file and renames it over the old one: mode and owner would be the
    // new file's, so both are given again (kept, or changed as asked).
    const before = { size: stat.size, sha256: stat.sha256! };
    steps.push(write(p.dest, before, content, { ...extra, mode, title }));
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
