// Read-only probes of paths and mounts: what a path is (dir, symlink and its target, absent), and mount points.
import { defineFact, readOnly, sh, raw } from '../../src/sdk.js';

export type PathKind = { kind: 'absent' } | { kind: 'dir' } | { kind: 'file' } | { kind: 'link'; target: string };

export const pathKind = defineFact({
  name: 'path_kind',
  command: (path: string) =>
    readOnly(
      sh`if [ -L ${path} ]; then printf 'link %s' "$(readlink ${path})"; elif [ -d ${path} ]; then echo dir; elif [ -e ${path} ]; then echo file; else echo absent; fi`,
    ),
  parse: (out): PathKind => {
    const s = out.stdout.replace(/\n$/, '');
    if (s.startsWith('link ')) return { kind: 'link', target: s.slice(5) };
    if (s === 'dir' || s === 'file' || s === 'absent') return { kind: s };
    throw new Error(`unexpected probe output: ${JSON.stringify(s)}`);
  },
});

/** Mount points from /proc/mounts -> what is mounted there (the source, as mount reports it) and its type. */
export const mounts = defineFact({
  name: 'mounts',
  command: () => readOnly(sh`cat /proc/mounts ${raw('2>/dev/null')}`),
  parse: (out): Record<string, { source: string; type: string }> =>
    Object.fromEntries(
      out.stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => {
          const [source, point, type] = l.split(' ').map((f) => f.replace(/\\040/g, ' '));
          return [point!, { source: source!, type: type! }];
        }),
    ),
});

/** Whether a directory holds anything (hidden entries too); null when it is not a directory. */
export const dirHasEntries = defineFact({
  name: 'dir_has_entries',
  command: (path: string) => readOnly(sh`if [ -d ${path} ]; then ls -A -- ${path} | head -n 1; else exit 3; fi`),
  parse: (out): boolean | null => (out.code === 3 ? null : out.stdout.trim() !== ''),
});
