// mount_shared: put the controller's shared data on a shared filesystem (several controllers).
import { defineModule, exec, raw, kato, sh, z, type Step } from '../../src/sdk.js';
import { absolutePath, argument } from '../common/params.js';
import { katoInfo, katoSeries, katoVersion } from '../facts/kato.js';
import { mounts, pathKind, type PathKind } from '../facts/paths.js';

const doc = `Params: source (sshfs source, e.g. root@10.77.0.11:/srv/stackato-shared), mount_point
(/mnt/controller), options (sshfs -o options; the guide recommends idmap=user,reconnect,allow_other),
identity_file (ssh key on the node for sshfs).
The guide's procedure: stop the controller, mount the share, move each data directory aside to
\`.old\`, symlink it into the share, copy the old contents back (the originals are kept), start the
controller. Data directories: 2.x /var/vcap/shared; 3.x /home/stackato/stackato/data and
/var/stackato/data/cloud_controller_ng/tmp/staged_droplet_uploads.
Idempotent: nothing to do when the share is mounted and every directory links into it.

Example:
  - name: mount_shared example 1
    mount_shared: { source: "root@10.77.0.11:/srv/stackato-shared" }`;

const DATA_DIRS = {
  '2.x': ['/var/vcap/shared'],
  '3.x': ['/home/stackato/stackato/data', '/var/stackato/data/cloud_controller_ng/tmp/staged_droplet_uploads'],
} as const;

/** Where a data directory lives inside the share: 2.x links the whole mount, as the guide shows. */
const targetIn = (mp: string, dir: string, many: boolean) => (many ? `${mp}/${dir.split('/').pop()}` : mp);

export const mountShared = defineModule({
  name: 'mount_shared',
  summary: 'Share controller data between controllers over a mounted filesystem',
  doc,
  params: z.strictObject({
    source: argument('source')
      .regex(/^[^\s:]+:\//, 'expected an sshfs source such as root@10.0.0.1:/srv/shared')
      .describe('sshfs source user@host:/path'),
    mount_point: absolutePath('mount_point').default('/mnt/controller').describe('where to mount the share'),
    options: z.string().default('idmap=user,reconnect,allow_other').describe('sshfs -o options'),
    identity_file: absolutePath('identity_file')
      .refine((s) => !s.includes(','), 'identity_file must not hold a comma (it is one sshfs -o option)')
      .optional()
      .describe('ssh private key on the node used by sshfs'),
  }),
  gather: async (h, p) => {
    const version = await h.fact(katoVersion);
    const series = katoSeries(version);
    const dirs = typeof series === 'string' ? DATA_DIRS[series] : [];
    const kinds: Record<string, PathKind> = {};
    for (const d of dirs) kinds[d] = await h.fact(pathKind, d);
    return {
      series,
      dirs: [...dirs],
      kinds,
      mounted: Object.hasOwn(await h.fact(mounts), p.mount_point),
      info: await h.fact(katoInfo),
    };
  },
  plan: ({ series, dirs, kinds, mounted, info }, p) => {
    if (typeof series !== 'string') return { steps: [], fail: series.refuse };
    const many = dirs.length > 1;
    const todo = dirs.filter((d) => {
      const k = kinds[d]!;
      return !(k.kind === 'link' && k.target === targetIn(p.mount_point, d, many));
    });
    if (mounted && todo.length === 0) return { steps: [], note: `${dirs.join(', ')} live on ${p.mount_point}` };
    const controller = info.assigned.includes('controller');
    const opts = p.identity_file
      ? `${p.options},IdentityFile=${p.identity_file},StrictHostKeyChecking=accept-new`
      : p.options;
    const steps: Step[] = [];
    if (controller) steps.push(exec('stop the controller', kato`kato stop controller`));
    if (!mounted)
      steps.push(
        exec(
          `~ ${p.mount_point}: not mounted -> ${p.source}`,
          sh`mkdir -p -- ${p.mount_point} && sshfs -o ${opts} -- ${p.source} ${p.mount_point}`,
        ),
      );
    for (const d of todo) {
      const target = targetIn(p.mount_point, d, many);
      const keep =
        kinds[d]!.kind === 'absent'
          ? sh`mkdir -p -- ${target}`
          : sh`mkdir -p -- ${target} && mv -- ${d} ${`${d}.old`} && cp -a -- ${`${d}.old/.`} ${`${target}/`}`;
      steps.push(
        exec(
          `~ ${d}: ${kinds[d]!.kind} -> link to ${target} (old contents kept in ${d}.old)`,
          sh`${raw(keep.text)} && mkdir -p -- "$(dirname -- ${d})" && rm -f -- ${d} && ln -s -- ${target} ${d}`,
        ),
      );
    }
    if (controller) steps.push(exec('start the controller', kato`kato start controller`));
    return { steps };
  },
});
