// file: make a path a file, a folder, a symbolic link, or absent, with mode and owner.
import { defineModule, exec, sh, z, type Plan, type Step } from '../src/sdk.js';
import { fileStat, type FileStat } from './facts/files.js';
import { planAttrs } from './common/attrs.js';
import { absolutePath, attrParams } from './common/params.js';

const doc = `Makes \`path\` be what \`state\` says, changing only what differs:
  file       an existing regular file (never created: use copy, template or touch)
  directory  a folder, created with its parents (mkdir -p)
  absent     nothing: removed, recursively for a folder
  touch      a regular file, created empty if missing (an existing one is left as it is,
             so unlike Ansible it does not change the modification time and stays idempotent)
  link       a symbolic link to \`src\`; an existing link is re-pointed, a regular file is
             replaced only with force: true, a folder never
mode, owner and group apply to file, directory and touch (the folder itself, not its content).
A symbolic link at path is not followed: for file, directory and touch, name the real path.

Example:
  - name: droplet folder
    file: { path: /var/stackato/droplets, state: directory, mode: "0755", owner: stackato, group: stackato }

  - name: shared storage link
    file: { path: /var/vcap/shared, state: link, src: /mnt/controller }`;

const params = z
  .strictObject({
    path: absolutePath('path').describe('Absolute path on the host.'),
    state: z.enum(['file', 'directory', 'absent', 'touch', 'link']).default('file').describe('What path should be.'),
    src: z.string().min(1).optional().describe('Target of the link (state: link only).'),
    force: z.boolean().default(false).describe('state: link may replace a regular file.'),
    ...attrParams,
  })
  .superRefine((p, ctx) => {
    const issue = (key: string, message: string) => ctx.addIssue({ code: 'custom', message, path: [key] });
    if (p.state === 'link' && p.src === undefined) issue('src', 'state: link needs src (the link target)');
    if (p.state !== 'link' && p.src !== undefined) issue('src', `src is only for state: link (state is ${p.state})`);
    for (const key of ['mode', 'owner', 'group'] as const) {
      if (p[key] !== undefined && (p.state === 'absent' || p.state === 'link'))
        issue(key, `${key} cannot be set with state: ${p.state}`);
    }
  });

type Params = z.output<typeof params>;

const describe = (s: FileStat): string => (!s.exists ? 'absent' : s.type === 'link' ? `link to ${s.target}` : s.type);
const change = (p: Params, from: FileStat, to: string, cmd: ReturnType<typeof sh>): Step =>
  exec(`~ ${p.path}: ${describe(from)} -> ${to}`, cmd);
const done = (steps: Step[], note: string): Plan => (steps.length ? { steps } : { steps, note });

function planLink(s: FileStat, p: Params, src: string): Plan {
  const to = `link to ${src}`;
  if (!s.exists) return { steps: [change(p, s, to, sh`ln -s -- ${src} ${p.path}`)] };
  if (s.type === 'link' && s.target === src) return { steps: [], note: `${p.path} already links to ${src}` };
  if (s.type === 'directory')
    return { steps: [], fail: `${p.path} is a directory; remove it first (state: absent) to put a link there` };
  if (s.type !== 'link' && !p.force)
    return { steps: [], fail: `${p.path} is a ${s.type}; set force: true to replace it with a link` };
  return { steps: [change(p, s, to, sh`ln -sfn -- ${src} ${p.path}`)] };
}

function planPresent(s: FileStat, p: Params): Plan {
  const kind = p.state === 'directory' ? 'directory' : 'file';
  if (!s.exists) {
    if (p.state === 'file')
      return {
        steps: [],
        fail: `${p.path} does not exist; use state: touch to create it empty, or copy / template to give it content`,
      };
    const create =
      p.state === 'directory'
        ? change(p, s, 'directory', p.mode ? sh`mkdir -p -m ${p.mode} -- ${p.path}` : sh`mkdir -p -- ${p.path}`)
        : change(p, s, 'file', sh`touch -- ${p.path}`);
    return { steps: [create, ...planAttrs(p.path, null, p, p.state === 'directory')] };
  }
  const ok = s.type === kind || (p.state === 'touch' && s.type === 'directory');
  if (!ok) return { steps: [], fail: `${p.path} is a ${describe(s)}, not a ${kind}` };
  return done(planAttrs(p.path, s, p), `${p.path} is already a ${s.type} as wanted`);
}

export const file = defineModule({
  name: 'file',
  summary: 'Make a path a file, a folder, a symbolic link, or absent, with mode and owner',
  doc,
  params,
  gather: (host, p) => host.fact(fileStat, p.path),
  plan(s, p) {
    if (p.state === 'absent')
      return s.exists
        ? { steps: [change(p, s, 'absent', sh`rm -rf -- ${p.path}`)] }
        : { steps: [], note: `${p.path} is already absent` };
    if (p.state === 'link') return planLink(s, p, p.src!);
    return planPresent(s, p);
  },
});
