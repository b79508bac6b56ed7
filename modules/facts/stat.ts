// Read-only probe for the stat module: everything Ansible's stat reports about a path, in one command.
import { defineFact, raw, readOnly, sh } from '../../src/sdk.js';

export const CHECKSUMS = ['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512'] as const;
export type ChecksumAlgorithm = (typeof CHECKSUMS)[number];

export interface StatQuery {
  follow: boolean;
  /** null: no checksum. */
  checksum: ChecksumAlgorithm | null;
  mime: boolean;
  attributes: boolean;
}

/** What the probe printed, parsed: `stat` null when nothing is at the path. */
export interface StatProbe {
  stat: {
    rawMode: number;
    uid: number;
    gid: number;
    size: number;
    inode: number;
    dev: number;
    nlink: number;
    atime: number;
    mtime: number;
    ctime: number;
    user: string;
    group: string;
    blocks: number;
    blockSize: number;
    rdev: number;
  } | null;
  readable: boolean;
  writeable: boolean;
  executable: boolean;
  linkTarget?: string;
  linkSource?: string;
  checksum?: string;
  /** `file --mime-type --mime-encoding` output after the path, when `file` is installed. */
  mime?: string;
  /** `lsattr -vd` output, when it worked. */
  lsattr?: string;
}

/** Times as whole seconds (%X) and readable with the fraction (%x): old coreutils lack %.9X. */
const FIELDS = '%f|%u|%g|%s|%i|%d|%h|%X %x|%Y %y|%Z %z|%U|%G|%b|%o|%t|%T';

/** Seconds with their fraction from "1796001251 2026-11-30 01:49:34.705433670 +0000". */
const seconds = (field: string): number => {
  const fraction = /\.(\d+)/.exec(field)?.[1] ?? '0';
  return Number(`${field.split(' ')[0]}.${fraction}`);
};

/** Linux's makedev: the st_rdev number from a device's major and minor. */
const makedev = (major: number, minor: number): number =>
  (((major & 0xfff) << 8) | (minor & 0xff) | ((minor & 0xfff00) << 12)) >>> 0;

export const pathStat = defineFact({
  name: 'path_stat',
  command: (path: string, q: StatQuery) => {
    const follow = q.follow ? raw('-L ') : raw('');
    const regular = q.follow ? sh`[ -f ${path} ]` : sh`[ -f ${path} ] && [ ! -L ${path} ]`;
    const sum = q.checksum
      ? sh`if ${raw(regular.text)} && [ -r ${path} ]; then printf 'checksum|'; ${raw(`${q.checksum}sum`)} < ${path}; fi; `
      : sh``;
    const mime = q.mime
      ? sh`if command -v file >/dev/null 2>&1; then printf 'mime|'; file --mime-type --mime-encoding -- ${path} | tr -d '\n'; echo; fi; `
      : sh``;
    const attrs = q.attributes
      ? sh`if a=$(lsattr -vd -- ${path} 2>/dev/null); then printf 'lsattr|%s\n' "$a"; fi; `
      : sh``;
    return readOnly(
      sh`if [ -e ${path} ] || [ -L ${path} ]; then printf 'stat|'; stat ${follow}-c ${FIELDS} -- ${path} || exit 2; [ -r ${path} ] && echo readable; [ -w ${path} ] && echo writeable; [ -x ${path} ] && echo executable; if [ -L ${path} ]; then printf 'target|%s\n' "$(readlink -- ${path})"; printf 'source|%s\n' "$(readlink -m -- ${path})"; fi; ${raw(sum.text + mime.text + attrs.text)}else echo absent; fi`,
    );
  },
  parse(out, path): StatProbe {
    if (out.code !== 0)
      throw new Error(`stat ${path}: probe exited ${out.code ?? 'by a signal'}: ${out.stderr.trim()}`);
    const probe: StatProbe = { stat: null, readable: false, writeable: false, executable: false };
    for (const line of out.stdout.split('\n')) {
      const bar = line.indexOf('|');
      const [tag, value] = bar < 0 ? [line, ''] : [line.slice(0, bar), line.slice(bar + 1)];
      if (tag === 'readable' || tag === 'writeable' || tag === 'executable') probe[tag] = true;
      else if (tag === 'target') probe.linkTarget = value;
      else if (tag === 'source') probe.linkSource = value;
      else if (tag === 'checksum') probe.checksum = value.split(' ')[0]!;
      else if (tag === 'mime') probe.mime = value;
      else if (tag === 'lsattr') probe.lsattr = value;
      else if (tag === 'stat') {
        const f = value.split('|');
        if (f.length !== 16) throw new Error(`stat ${path}: unexpected output ${JSON.stringify(line)}`);
        const n = (i: number) => Number(f[i]);
        probe.stat = {
          rawMode: Number.parseInt(f[0]!, 16),
          uid: n(1),
          gid: n(2),
          size: n(3),
          inode: n(4),
          dev: n(5),
          nlink: n(6),
          atime: seconds(f[7]!),
          mtime: seconds(f[8]!),
          ctime: seconds(f[9]!),
          user: f[10]!,
          group: f[11]!,
          blocks: n(12),
          blockSize: n(13),
          rdev: makedev(Number.parseInt(f[14]!, 16), Number.parseInt(f[15]!, 16)),
        };
      }
    }
    return probe;
  },
});
