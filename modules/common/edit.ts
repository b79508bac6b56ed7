// Editing a text file in place (lineinfile, blockinfile): path aliases, gathering, and the plan of a new content.
import { exec, raw, sh, z, type HostView, type Plan, type Step } from '../../src/sdk.js';
import { fileStatContent, pathExists, resolvedPath } from '../facts/files.js';
import { planAttrs } from './attrs.js';
import { planContent, type DestFacts } from './content.js';
import { absolutePath, attrParams, type Attrs } from './params.js';

const ALIASES = ['dest', 'destfile', 'name'] as const;

/** path, and the names Ansible also accepts for it. */
export const pathParams = {
  path: absolutePath('path')
    .optional()
    .describe('Absolute path of the file on the host (aliases: dest, destfile, name).'),
  dest: absolutePath('dest').optional().describe('Alias of path.'),
  destfile: absolutePath('destfile').optional().describe('Alias of path.'),
  name: absolutePath('name').optional().describe('Alias of path.'),
};

/** The edit params every in-place editor takes besides its own. */
export const editParams = {
  ...pathParams,
  create: z.boolean().default(false).describe('Create the file when it is missing (else the task fails).'),
  backup: z
    .boolean()
    .default(false)
    .describe('Before changing it, copy the file to PATH.PID.YYYY-MM-DD@HH:MM:SS~ on the host, as Ansible names it.'),
  ...attrParams,
};

type WithPath = { [K in 'path' | (typeof ALIASES)[number]]?: string | undefined };

/** superRefine check: exactly one of path and its aliases. */
export function checkPath(p: WithPath, ctx: z.RefinementCtx): void {
  const given = (['path', ...ALIASES] as const).filter((k) => p[k] !== undefined);
  if (given.length === 0)
    ctx.addIssue({
      code: 'custom',
      message: 'path is required (or one of its aliases dest, destfile, name)',
      path: ['path'],
    });
  if (given.length > 1)
    ctx.addIssue({ code: 'custom', message: `give path once, not as ${given.join(' and ')}`, path: [given[1]!] });
}

/** The params with the alias folded into `path`. */
export function withPath<P extends WithPath>(p: P): Omit<P, (typeof ALIASES)[number]> & { path: string } {
  const { dest, destfile, name, ...rest } = p;
  return { ...rest, path: (p.path ?? dest ?? destfile ?? name)! };
}

export interface EditFacts extends DestFacts {
  /** Current content; null when there is no regular file. */
  current: string | null;
  /** Whether the file's folder exists (only asked when the file is missing). */
  parentExists: boolean;
  /** When path is a symbolic link: the file it resolves to, which is read and written instead. */
  realPath?: string;
}

const parentOf = (path: string): string => path.slice(0, path.lastIndexOf('/')) || '/';

/** Stat, content and leftover temp files in one probe: an editor needs the text it edits. */
async function gatherText(host: HostView, path: string): Promise<Omit<EditFacts, 'parentExists' | 'realPath'>> {
  const { stat, content, leftovers } = await host.fact(fileStatContent, path);
  return { stat, current: content, leftovers };
}

/**
 * Stat and content in one probe; the folder's existence only when the file is missing. A symbolic
 * link is followed, as Ansible does: its target is read, and edited in place of the link.
 */
export async function gatherEdit(host: HostView, path: string): Promise<EditFacts> {
  const first = await gatherText(host, path);
  const realPath = first.stat.exists && first.stat.type === 'link' ? await host.fact(resolvedPath, path) : undefined;
  const dest = realPath ? await gatherText(host, realPath) : first;
  const parentExists = dest.stat.exists || (await host.fact(pathExists, parentOf(realPath ?? path)));
  return { ...dest, parentExists, ...(realPath ? { realPath } : {}) };
}

export interface EditParams extends Attrs {
  path: string;
  backup: boolean;
}

/** What the editor computed: the new content and Ansible's message for it. */
export interface Edit {
  content: string;
  changed: boolean;
  msg: string;
  /** Extra result fields (lineinfile's `found`). */
  data?: Record<string, unknown>;
}

const ATTRS_MSG = 'ownership, perms or SE linux context changed';
/** Mode of a file Ansible creates (0666 under the usual umask 022). */
const NEW_FILE_MODE = '0644';

/** A plan writing the edited content (when it changed) and fixing mode / owner / group, with Ansible's msg. */
export function planEdit(f: EditFacts, given: EditParams, edit: Edit): Plan {
  const p = f.realPath ? { ...given, path: f.realPath } : given;
  const base = planContent(
    { ...f, wanted: { content: edit.content } },
    { dest: p.path, mode: p.mode, owner: p.owner, group: p.group, secret: false },
  );
  if (base.fail) return base;
  const steps: Step[] = [];
  if (!f.stat.exists && !f.parentExists)
    steps.push(exec(`create folder ${parentOf(p.path)}`, sh`mkdir -p -- ${parentOf(p.path)}`));
  if (edit.changed && p.backup && f.stat.exists)
    steps.push(exec(`back up ${p.path}`, sh`cp -p -- ${p.path} ${p.path}${raw('.$$.$(date +%Y-%m-%d@%H:%M:%S)~')}`));
  steps.push(...base.steps);
  const attrs = f.stat.exists
    ? planAttrs(p.path, f.stat, p).length > 0
    : p.mode !== undefined && p.mode !== NEW_FILE_MODE;
  const msg = attrs ? `${edit.msg}${edit.changed ? ' and ' : ''}${ATTRS_MSG}` : edit.msg;
  const data = { msg, ...edit.data };
  return steps.length ? { steps, data } : { steps, note: base.note ?? `${p.path} is up to date`, data };
}
