// mount_shared: put the controller's shared data on a shared filesystem (several controllers), in the guide's order.
import { defineModule, exec, raw, kato, sh, sumOf, write, z, type Step } from '../../src/sdk.js';
import { absolutePath, argument } from '../common/params.js';
import { inCluster, katoInfo, katoSeries, katoVersion, type KatoInfo } from '../facts/kato.js';
import { fileContent } from '../facts/files.js';
import { dirHasEntries, mounts, pathKind, type PathKind } from '../facts/paths.js';
import { fstabLine, withFstabLine } from './fstab.js';

const doc = `Params: type (sshfs or nfs, default sshfs: the inventory's shared_storage_type), source (sshfs
user@host:/path, nfs host:/export), mount_point (/mnt/controller), options (mount options; default for
sshfs the guide's idmap=user,reconnect,allow_other, for nfs defaults), identity_file (sshfs: the ssh key
on the node).
The setup guide's order (reference/kato.md section 4). On the core: \`kato stop controller\`, mount the
share, persist it in /etc/fstab (with _netdev), move each data directory aside to \`.old\` and link it
into the share, copy the old contents onto the share only while the share is still empty (the copy
never overwrites a file), \`kato start controller\`. The core is the host of the inventory's \`core\` group, or the node
kato reports as the core. On an extra controller (any other node, attached or not): mount, fstab, move aside and link, and nothing else: its own old data
stays in \`.old\` and never reaches the share, and its controller is neither stopped nor started (attach
it with \`-e controller\` afterwards). Data directories: 2.x /var/vcap/shared (the whole mount);
3.x /home/stackato/stackato/data and /var/stackato/data/cloud_controller_ng/tmp/staged_droplet_uploads.
nfs needs an nfs client on the node (the kernel's nfs and mount.nfs): a node without one fails at the
mount step, saying so.
Idempotent: nothing to do when the share is mounted from the source, fstab has its line and every
directory links into it.

Example:
  - name: mount_shared example 1
    mount_shared: { source: "root@10.77.0.11:/srv/stackato-shared" }
  - name: mount_shared example 2
    mount_shared: { type: nfs, source: "nas1.example.com:/export/stackato" }`;

const DATA_DIRS = {
  '2.x': ['/var/vcap/shared'],
  '3.x': ['/home/stackato/stackato/data', '/var/stackato/data/cloud_controller_ng/tmp/staged_droplet_uploads'],
} as const;

const FSTAB = '/etc/fstab';
const DEFAULT_OPTIONS = { sshfs: 'idmap=user,reconnect,allow_other', nfs: 'defaults' } as const;

/** Where a data directory lives inside the share: 2.x links the whole mount, as the guide shows. */
const targetIn = (mp: string, dir: string, many: boolean) => (many ? `${mp}/${dir.split('/').pop()}` : mp);

/**
 * The cluster's core: the host of the inventory's core group (so check mode plans it as the core before
 * `kato node setup core` ran), or what kato says: its own mbus IP, running primary. An extra controller is
 * neither, attached or not.
 */
const isCore = (i: KatoInfo, vars: Readonly<Record<string, unknown>>) =>
  (Array.isArray(vars.group_names) && vars.group_names.includes('core')) ||
  (inCluster(i) && i.assigned.includes('primary') && i.mbusip === i.ip);

export const mountShared = defineModule({
  name: 'mount_shared',
  summary: 'Share controller data between controllers over a mounted filesystem (sshfs or nfs)',
  doc,
  params: z.strictObject({
    type: z.enum(['sshfs', 'nfs']).default('sshfs').describe('how to mount the share'),
    source: argument('source')
      .regex(/^[^\s:]+:\/\S*$/, 'expected a source such as root@10.0.0.1:/srv/shared (sshfs) or nas1:/export (nfs)')
      .describe('sshfs user@host:/path or nfs host:/export'),
    mount_point: absolutePath('mount_point')
      .regex(/^\S+$/, 'mount_point must not hold blanks')
      .default('/mnt/controller')
      .describe('where to mount the share'),
    options: z
      .string()
      .regex(/^[^\s]+$/, 'options is one comma-separated list without blanks')
      .optional()
      .describe('mount options (default: sshfs idmap=user,reconnect,allow_other; nfs defaults)'),
    identity_file: absolutePath('identity_file')
      .refine((s) => !s.includes(','), 'identity_file must not hold a comma (it is one sshfs -o option)')
      .optional()
      .describe('sshfs: ssh private key on the node'),
  }),
  gather: async (h, p) => {
    const version = await h.fact(katoVersion);
    const series = katoSeries(version);
    const dirs = typeof series === 'string' ? DATA_DIRS[series] : [];
    const many = dirs.length > 1;
    const kinds: Record<string, PathKind> = {};
    const filled: Record<string, boolean | null> = {};
    const mounted = (await h.fact(mounts))[p.mount_point];
    for (const d of dirs) {
      kinds[d] = await h.fact(pathKind, d);
      // What the share holds can only be known once it is mounted; before, the copy decides when it runs.
      if (mounted) filled[d] = await h.fact(dirHasEntries, targetIn(p.mount_point, d, many));
    }
    return {
      series,
      dirs: [...dirs],
      kinds,
      filled,
      mounted: mounted ?? null,
      fstab: await h.fact(fileContent, FSTAB),
      info: await h.fact(katoInfo),
      vars: h.vars,
    };
  },
  plan: ({ series, dirs, kinds, filled, mounted, fstab, info, vars }, p) => {
    if (typeof series !== 'string') return { steps: [], fail: series.refuse };
    if (p.type === 'nfs' && p.identity_file) return { steps: [], fail: 'identity_file is for sshfs, not nfs' };
    if (mounted && mounted.source !== p.source)
      return {
        steps: [],
        fail: `${p.mount_point} has ${mounted.source} mounted (${mounted.type}), not ${p.source}: unmount it first`,
      };
    const many = dirs.length > 1;
    const core = isCore(info, vars ?? {});
    const options = p.options ?? DEFAULT_OPTIONS[p.type];
    const sshOpts = p.identity_file
      ? `${options},IdentityFile=${p.identity_file},StrictHostKeyChecking=accept-new`
      : options;
    const line = fstabLine({
      type: p.type,
      source: p.source,
      mountPoint: p.mount_point,
      options: p.type === 'sshfs' ? sshOpts : options,
    });
    const newFstab = withFstabLine(fstab, line);
    const todo = dirs.filter((d) => {
      const k = kinds[d]!;
      return !(k.kind === 'link' && k.target === targetIn(p.mount_point, d, many));
    });
    if (mounted && todo.length === 0 && newFstab === null)
      return { steps: [], note: `${dirs.join(', ')} live on ${p.mount_point} (${p.source}, in ${FSTAB})` };

    const steps: Step[] = [];
    const relink = todo.length > 0 || !mounted;
    const controller = core && relink;
    if (controller) steps.push(exec('stop the controller on the core', kato`kato stop controller`));
    if (!mounted) steps.push(mountStep(p.type, p.source, p.mount_point, p.type === 'sshfs' ? sshOpts : options));
    if (newFstab !== null)
      steps.push(
        write(FSTAB, fstab === null ? null : sumOf(fstab), newFstab, {
          mode: '0644',
          title: `~ ${FSTAB}: ${line}`,
        }),
      );
    for (const d of todo) {
      const target = targetIn(p.mount_point, d, many);
      const aside = kinds[d]!.kind === 'absent' ? '' : `moved aside to ${d}.old, `;
      const kept = core && filled[d] === true ? " (the share already holds data: the core's is not copied)" : '';
      const keep = kinds[d]!.kind === 'absent' ? sh`true` : sh`mv -T -- ${d} ${`${d}.old`}`;
      steps.push(
        exec(
          `~ ${d}: ${kinds[d]!.kind} -> ${aside}link to ${target}${kept}`,
          sh`mkdir -p -- ${target} && ${raw(keep.text)} && mkdir -p -- "$(dirname -- ${d})" && ln -s -- ${target} ${d}`,
        ),
      );
      if (core && kinds[d]!.kind !== 'absent') {
        const step = copyOnce(d, target, filled[d]);
        if (step) steps.push(step);
      }
    }
    if (controller) steps.push(exec('start the controller on the core', kato`kato start controller`));
    return { steps };
  },
});

/** Mounts the share; an nfs mount the node cannot do fails saying whether its kernel lists nfs at all. */
function mountStep(type: 'sshfs' | 'nfs', source: string, mp: string, options: string): Step {
  if (type === 'sshfs')
    return exec(
      `~ ${mp}: not mounted -> ${source} (sshfs)`,
      sh`mkdir -p -- ${mp} && sshfs -o ${options} -- ${source} ${mp}`,
    );
  const why = `cannot mount nfs ${source} on ${mp}`;
  const kernel = 'this kernel has no nfs client: /proc/filesystems lists no nfs';
  return exec(
    `~ ${mp}: not mounted -> ${source} (nfs)`,
    sh`mkdir -p -- ${mp} && { mount -t nfs -o ${options} -- ${source} ${mp} || { echo ${why} >&2; grep -qw nfs /proc/filesystems || echo ${kernel} >&2; exit 32; }; }`,
  );
}

/**
 * The core's old data onto the share, once: only while the share's directory is empty, and `cp -n` never
 * replaces a file, so data another controller (or an earlier run) put there is never overwritten.
 */
function copyOnce(dir: string, target: string, filled: boolean | null | undefined): Step | null {
  if (filled === true) return null;
  const old = `${dir}.old`;
  return exec(
    `~ ${target}: empty -> the core's data copied from ${old} (only while the share is empty)`,
    sh`if [ -z "$(ls -A -- ${target})" ]; then cp -a -n -- ${`${old}/.`} ${`${target}/`}; fi`,
  );
}
