// A node's private filesystem view: a synthetic root with copy-on-write /etc and /var (plus the lab's own
// /etc/init.d/networking), private /root, /home, /s, /mnt, /tmp and /run, and the host's /usr shared
// read-mostly. Built by the holder script.
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LabError } from './run.js';
import { ensureStackato, type StackatoAccount } from './users.js';

/** The stackplay checkout (kato's code and node_modules live here; nodes see it at the same path). */
export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Top-level folders each node gets its own empty copy of (on the host: <node>/root/<name>). */
const PRIVATE_DIRS = ['root', 'home', 'mnt', 'tmp', 'srv', 'media'];
const OVERLAID = ['etc', 'var'];

export interface NodeTree {
  dir: string;
  root: string;
  upper: string;
  work: string;
  holderScript: string;
  readyFile: string;
  log: string;
}

export const nodeTree = (nodeDir: string): NodeTree => ({
  dir: nodeDir,
  root: join(nodeDir, 'root'),
  upper: join(nodeDir, 'upper'),
  work: join(nodeDir, 'work'),
  holderScript: join(nodeDir, 'holder.sh'),
  readyFile: join(nodeDir, 'holder.ready'),
  log: join(nodeDir, 'logs', 'holder.log'),
});

const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** Host paths the nodes must see at the same place: the lab folder, the checkout, node's own binary. */
export function sharedPaths(labDir: string): string[] {
  const nodeBin = dirname(realpathSync(process.execPath));
  const paths = [projectRoot, labDir, ...(nodeBin.startsWith('/usr/') ? [] : [nodeBin])];
  for (const p of paths) {
    if (/[,:\s'"\\]/.test(p))
      throw new LabError(`the lab cannot use the path "${p}": it holds a comma, colon, quote or space`);
    if (OVERLAID.some((o) => p === `/${o}` || p.startsWith(`/${o}/`))) {
      throw new LabError(
        `the lab folder cannot be under /${p.split('/')[1]}`,
        'each node overlays /etc and /var; pick a folder elsewhere, e.g. /tmp or the checkout',
      );
    }
  }
  return [...new Set(paths)].sort((a, b) => a.length - b.length);
}

/**
 * The node's resolver: no name server is reachable from the lab, so it names the node's own loopback, where
 * nothing listens on port 53 and a query is refused at once, as a VM's resolver answers or fails fast.
 * The host's own resolv.conf (seen through the /etc overlay otherwise) names servers the lab cannot reach.
 */
export const NODE_RESOLV_CONF = 'nameserver 127.0.0.1\n';

/** Creates the node's folders and first-boot files. Safe to repeat: existing files are kept. */
export function prepareTree(
  t: NodeTree,
  name: string,
  address: string,
  katoEntry: string,
  account: StackatoAccount,
): void {
  for (const d of [t.root, t.upper, t.work, join(t.dir, 'logs'), join(t.dir, 'stackato', 'lab', 'run')])
    mkdirSync(d, { recursive: true });
  for (const d of ['usr', 'dev', 'proc', 'sys', 'run', '.oldroot', ...OVERLAID, ...PRIVATE_DIRS])
    mkdirSync(join(t.root, d), { recursive: true });
  for (const o of OVERLAID) for (const base of [t.upper, t.work]) mkdirSync(join(base, o), { recursive: true });
  chmodSync(join(t.root, 'tmp'), 0o1777);
  chmodSync(join(t.root, 'root'), 0o700);
  for (const e of readdirSync('/')) {
    const link = join(t.root, e);
    if (lstatSync(join('/', e)).isSymbolicLink() && !lstatSync(link, { throwIfNoEntry: false }))
      symlinkSync(readlinkSync(join('/', e)), link);
  }
  const bin = join(t.root, 'home', 'stackato', 'bin');
  const stackato = join(t.root, 'home', 'stackato', 'stackato');
  for (const d of [bin, join(stackato, 'logs'), join(stackato, 'etc', 'kato'), join(stackato, 'data')])
    mkdirSync(d, { recursive: true });
  // /s is the short name of ~stackato/stackato (kato.md section 0: /s/logs and ~/stackato/logs are one folder).
  if (!lstatSync(join(t.root, 's'), { throwIfNoEntry: false }))
    symlinkSync('home/stackato/stackato', join(t.root, 's'));
  // Data folders of a Stackato VM: /var/vcap in 2.x, /var/stackato in 3.x (the latter is <node>/stackato).
  for (const d of ['vcap/shared', 'vcap/services']) mkdirSync(join(t.upper, 'var', d), { recursive: true });
  for (const d of ['services', 'data']) mkdirSync(join(t.dir, 'stackato', d), { recursive: true });
  // The kato on the node: /home/stackato/bin/kato, as on a real Stackato VM.
  writeFileSync(join(bin, 'kato'), `#!/bin/sh\nexec ${q(process.execPath)} ${q(katoEntry)} "$@"\n`, { mode: 0o755 });
  const etc = join(t.upper, 'etc');
  const first = (file: string, text: string) => {
    mkdirSync(dirname(join(etc, file)), { recursive: true });
    if (!existsSync(join(etc, file))) writeFileSync(join(etc, file), text);
  };
  first('hostname', `${name}\n`);
  first('hosts', `127.0.0.1\tlocalhost\n${address}\t${name}\n`);
  first('resolv.conf', NODE_RESOLV_CONF);
  first('network/interfaces', 'auto lo\niface lo inet loopback\n\nauto eth0\niface eth0 inet dhcp\n');
  // Written into the node's upper /etc layer, so only the node sees it: the host's /etc/init.d stays as it is.
  const init = join(etc, 'init.d', 'networking');
  const script = `#!/bin/sh\n# lab stand-in for ifupdown's init script: eth0 as /etc/network/interfaces says\nexec /home/stackato/bin/kato __networking "$@"\n`;
  mkdirSync(dirname(init), { recursive: true });
  if (!existsSync(init) || readFileSync(init, 'utf8') !== script) writeFileSync(init, script, { mode: 0o755 });
  // kato's folders belong to stackato, as on a real VM: ~stackato (with /s) and /var/stackato.
  ensureStackato(etc, join(t.root, 'home', 'stackato'), [join(t.dir, 'stackato')], account);
}

/** The script the holder runs inside the node's fresh UTS and mount namespaces, before `sleep infinity`. */
export function holderScript(t: NodeTree, name: string, shared: readonly string[]): string {
  const R = q(t.root);
  const lines = [
    'set -eu',
    `mount --bind ${R} ${R}`,
    `mount --rbind /usr ${R}/usr`,
    ...['dev', 'proc', 'sys'].map((d) => `mount --rbind /${d} ${R}/${d}`),
    `U=${q(t.upper)}`,
    `W=${q(t.work)}`,
    // overlayfs cannot keep its upper layer on some filesystems (overlayfs itself, e.g. in a container):
    // then the node's changes live in a tmpfs private to the node (lost when the node restarts).
    `if ! mount -t overlay overlay -o "lowerdir=/etc,upperdir=$U/etc,workdir=$W/etc" ${R}/etc; then`,
    `  T=${q(join(t.dir, 'volatile'))}`,
    '  mkdir -p "$T" && mount -t tmpfs -o mode=755 tmpfs "$T" && mkdir -p "$T/upper" "$T/work/etc" "$T/work/var"',
    '  cp -a "$U/." "$T/upper/" && U="$T/upper" W="$T/work"',
    `  mount -t overlay overlay -o "lowerdir=/etc,upperdir=$U/etc,workdir=$W/etc" ${R}/etc`,
    'fi',
    `mount -t overlay overlay -o "lowerdir=/var,upperdir=$U/var,workdir=$W/var" ${R}/var`,
    `mkdir -p ${R}/var/stackato && mount --bind ${q(join(t.dir, 'stackato'))} ${R}/var/stackato`,
    `mount -t tmpfs -o mode=755 tmpfs ${R}/run`,
    // kato's processes run as stackato; a router still answers on port 80 and the LB on 443 (a per-namespace setting).
    'echo 0 > /proc/sys/net/ipv4/ip_unprivileged_port_start',
    `mkdir -p ${R}/run/sshd ${R}/run/lock && chmod 755 ${R}/run/sshd`,
    ...shared.map((p) => `mkdir -p ${q(t.root + p)} && mount --bind ${q(p)} ${q(t.root + p)}`),
    `hostname "$(cat ${q(join(t.upper, 'etc', 'hostname'))} 2>/dev/null || echo ${q(name)})"`,
    `cd ${R}`,
    'pivot_root . .oldroot',
    'cd /',
    'umount -l /.oldroot',
    `echo ready > ${q(t.readyFile)}`,
    'exec sleep infinity',
  ];
  return `# holder of lab node ${name}: private mounts and hostname, then sleep.\n${lines.join('\n')}\n`;
}
