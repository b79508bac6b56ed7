// stat: report what is at a path (Ansible's stat result), changing nothing.
import { defineModule, z, type Plan } from '../src/sdk.js';
import { absolutePath } from './common/params.js';
import { CHECKSUMS, pathStat, type StatProbe } from './facts/stat.js';

const doc = `Ansible's stat: registers \`stat\`, a map describing the path, for later tasks' conditions.
Never changes anything (changed is always false). When nothing is there, stat is { exists: false }.

Keys as Ansible's: exists, path, mode ("0644"), isdir, isreg, islnk, ischr, isblk, isfifo,
issock, uid, gid, pw_name, gr_name, size, inode, dev, nlink, atime, mtime, ctime (seconds, with
a fraction), blocks, block_size, device_type, readable, writeable, executable, the r/w/x bits
(rusr, wusr, xusr, rgrp, ... xoth, isuid, isgid), lnk_source and lnk_target for a link,
checksum for a readable regular file (sha1 unless checksum_algorithm says otherwise), mimetype
and charset (from \`file\`, "unknown" without it), attributes, attr_flags and version (lsattr).

Example:
  - name: is kato installed?
    stat: { path: /home/stackato/bin/kato }
    register: kato_bin

  - name: only on nodes that have it
    command: kato version
    when: kato_bin.stat.exists`;

const params = z
  .strictObject({
    path: absolutePath('path').optional().describe('Absolute path on the host (aliases: dest, name).'),
    dest: absolutePath('dest').optional().describe('Alias of path.'),
    name: absolutePath('name').optional().describe('Alias of path.'),
    follow: z.boolean().default(false).describe('Follow a symbolic link at path and describe its target.'),
    get_checksum: z.boolean().default(true).describe("A regular file's checksum."),
    checksum_algorithm: z.enum(CHECKSUMS).default('sha1').describe('Algorithm of the checksum.'),
    get_mime: z.boolean().default(true).describe('mimetype and charset, from the `file` command.'),
    get_attributes: z.boolean().default(true).describe('attributes, attr_flags and version, from lsattr.'),
  })
  .superRefine((p, ctx) => {
    const given = (['path', 'dest', 'name'] as const).filter((k) => p[k] !== undefined);
    if (given.length !== 1)
      ctx.addIssue({
        code: 'custom',
        message: given.length ? `give path once, not as ${given.join(' and ')}` : 'path is required (or dest, name)',
        path: [given[1] ?? 'path'],
      });
  })
  .transform(({ dest, name, ...p }) => ({ ...p, path: (p.path ?? dest ?? name)! }));

type Params = z.output<typeof params>;

const ATTRIBUTES: Record<string, string> = {
  A: 'noatime',
  a: 'append',
  c: 'compressed',
  C: 'nocow',
  d: 'nodump',
  D: 'dirsync',
  e: 'extents',
  E: 'encrypted',
  h: 'blocksize',
  i: 'immutable',
  I: 'indexed',
  j: 'journalled',
  N: 'inline',
  s: 'zero',
  S: 'synchronous',
  t: 'notail',
  T: 'blockroot',
  u: 'undelete',
  X: 'compressedraw',
  Z: 'compresseddirty',
};

const TYPE_BITS = {
  isdir: 0o040000,
  ischr: 0o020000,
  isblk: 0o060000,
  isreg: 0o100000,
  isfifo: 0o010000,
  islnk: 0o120000,
  issock: 0o140000,
};
const PERM_BITS = {
  wusr: 0o200,
  rusr: 0o400,
  xusr: 0o100,
  wgrp: 0o020,
  rgrp: 0o040,
  xgrp: 0o010,
  woth: 0o002,
  roth: 0o004,
  xoth: 0o001,
  isuid: 0o4000,
  isgid: 0o2000,
};

/** The stat map as Ansible's stat module builds it (format_output, then the extras). */
export function statResult(probe: StatProbe, p: Params): Record<string, unknown> {
  const s = probe.stat;
  if (!s) return { exists: false };
  const mode = s.rawMode;
  const out: Record<string, unknown> = {
    exists: true,
    path: p.path,
    mode: (mode & 0o7777).toString(8).padStart(4, '0'),
  };
  for (const [key, bits] of Object.entries(TYPE_BITS)) out[key] = (mode & 0o170000) === bits;
  Object.assign(out, {
    uid: s.uid,
    gid: s.gid,
    size: s.size,
    inode: s.inode,
    dev: s.dev,
    nlink: s.nlink,
    atime: s.atime,
    mtime: s.mtime,
    ctime: s.ctime,
  });
  for (const [key, bit] of Object.entries(PERM_BITS)) out[key] = (mode & bit) !== 0;
  Object.assign(out, { blocks: s.blocks, block_size: s.blockSize, device_type: s.rdev });
  Object.assign(out, { readable: probe.readable, writeable: probe.writeable, executable: probe.executable });
  if (out.islnk) Object.assign(out, { lnk_source: probe.linkSource, lnk_target: probe.linkTarget });
  if (s.user !== 'UNKNOWN') out.pw_name = s.user;
  if (s.group !== 'UNKNOWN') out.gr_name = s.group;
  if (probe.checksum !== undefined) out.checksum = probe.checksum;
  if (p.get_mime) {
    const [type, charset] = (probe.mime?.slice(probe.mime.lastIndexOf(':') + 1) ?? '').split(';');
    const known = probe.mime !== undefined && charset !== undefined;
    out.mimetype = known ? type!.trim() : 'unknown';
    out.charset = known ? (charset!.split('=')[1] ?? '').trim() : 'unknown';
  }
  if (p.get_attributes) {
    const [version, flags] = probe.lsattr?.split(/\s+/) ?? [];
    const attrFlags = flags?.replaceAll('-', '') ?? '';
    Object.assign(out, {
      version: version ?? null,
      attributes: [...attrFlags].filter((f) => f in ATTRIBUTES).map((f) => ATTRIBUTES[f]),
      attr_flags: attrFlags,
    });
  }
  return out;
}

export const stat = defineModule({
  name: 'stat',
  summary: "Report what is at a path (Ansible's stat result); changes nothing",
  doc,
  params,
  gather: (host, p) =>
    host.fact(pathStat, p.path, {
      follow: p.follow,
      checksum: p.get_checksum ? p.checksum_algorithm : null,
      mime: p.get_mime,
      attributes: p.get_attributes,
    }),
  plan: (probe, p): Plan => ({ steps: [], data: { stat: statResult(probe, p) } }),
});
