// fetch: copy a file from the host to the controller, under dest/HOSTNAME/PATH as Ansible's fetch does.
import { defineModule, digest, sumOf, z, type HostView, type Plan } from '../src/sdk.js';
import { absolutePath } from './common/params.js';
import { fileBytes, type RemoteFile } from './facts/files.js';

const doc = `Ansible's fetch: copies \`src\`, a file on the host, to the controller. The copy goes to
DEST/HOSTNAME/SRC (dest relative to the playbook's folder), so files of many hosts do not collide;
with flat: true it goes to dest itself (or dest/BASENAME when dest ends in /). It is written only
when its sha1 differs from the host's, atomically, with the folders it needs. Check mode shows
what would be fetched and writes nothing. Binary files are fine (the bytes travel as base64).

A missing src fails the task unless fail_on_missing: false (then it is reported and skipped over).
With validate_checksum (default), bytes that do not match the host's sha1 fail the task.

Example:
  - name: keep each node's kato config
    fetch: { src: /home/stackato/stackato/etc/kato.yml, dest: backups }
    # -> backups/node1/home/stackato/stackato/etc/kato.yml`;

const params = z.strictObject({
  src: absolutePath('src').describe('The file on the host (a file, not a folder).'),
  dest: z.string().min(1).describe("Where to put it on the controller, relative to the playbook's folder."),
  flat: z.boolean().default(false).describe('Write to dest itself instead of dest/HOSTNAME/SRC.'),
  fail_on_missing: z.boolean().default(true).describe('Fail when src is missing or unreadable.'),
  validate_checksum: z.boolean().default(true).describe("Fail when the fetched bytes do not match the host's sha1."),
});

type Params = z.output<typeof params>;

interface FetchFacts {
  remote: RemoteFile;
  /** The controller file: absolute path, its bytes (null when absent), whether a folder is there. */
  local: { path: string; bytes: Uint8Array | null; directory?: boolean };
}

/** POSIX normpath: `.` and `..` resolved, slashes collapsed (`..` at the root stays at the root). */
function normalize(path: string): string {
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '..') parts.pop();
    else if (part !== '' && part !== '.') parts.push(part);
  }
  return `${path.startsWith('/') ? '/' : ''}${parts.join('/')}`;
}

/** The controller path before the playbook folder is applied, as Ansible builds it. */
export function destFor(host: string, p: Params): string {
  if (!p.flat) return normalize(`${p.dest}/${host}/${normalize(p.src)}`);
  return p.dest.endsWith('/') ? normalize(`${p.dest}${p.src.slice(p.src.lastIndexOf('/') + 1)}`) : normalize(p.dest);
}

/** src is not a file that can be fetched: a failure, or with fail_on_missing: false, Ansible's "ignored". */
function missing(p: Params, msg: string, ignored = msg): Plan {
  if (p.fail_on_missing) return { steps: [], fail: msg, data: { file: p.src } };
  return { steps: [], note: ignored, data: { file: p.src, msg: ignored } };
}

export const fetch = defineModule({
  name: 'fetch',
  summary: 'Copy a file from the host to the controller (dest/HOSTNAME/path)',
  doc,
  params,
  async gather(host: HostView, p): Promise<FetchFacts> {
    if (!host.readController) throw new Error('fetch needs the controller: this host view cannot read its files');
    const remote = await host.fact(fileBytes, p.src);
    return { remote, local: await host.readController(destFor(host.name, p)) };
  },
  plan({ remote, local }, p): Plan {
    if (remote.kind === 'absent') return missing(p, 'the remote file does not exist, not transferring, ignored');
    if (remote.kind === 'directory') {
      const msg = 'remote file is a directory, fetch cannot work on directories';
      return missing(p, msg, `${msg}, not transferring, ignored`);
    }
    if (remote.kind !== 'file') return missing(p, `file is not readable: ${p.src}`);
    if (local.directory)
      return {
        steps: [],
        fail: `dest ${local.path} is an existing directory, use a trailing slash if you want to fetch src into that directory`,
      };
    const bytes = Buffer.from(remote.base64, 'base64');
    const checksum = digest('sha1', bytes);
    if (p.validate_checksum && checksum !== remote.sha1)
      return {
        steps: [],
        fail: 'checksum mismatch',
        data: { file: p.src, dest: local.path, checksum, remote_checksum: remote.sha1 },
      };
    const data = { dest: local.path, checksum, md5sum: digest('md5', bytes), remote_checksum: remote.sha1 };
    if (local.bytes && digest('sha1', local.bytes) === remote.sha1)
      return { steps: [], note: `${local.path} matches ${p.src}`, data: { ...data, file: p.src } };
    const title = `fetch ${p.src} -> ${local.path}`;
    const before = local.bytes ? sumOf(local.bytes) : null;
    return {
      steps: [
        { kind: 'controller-write', title, path: local.path, before, after: sumOf(bytes), base64: remote.base64 },
      ],
      data: { ...data, remote_md5sum: null },
    };
  },
});
