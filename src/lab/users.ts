// The `stackato` account of a lab node, as on a Stackato VM (reference/kato.md section 2: kato runs as
// stackato, not root, and asks for stackato's password when it needs sudo): a password, sudo that asks
// for it, and kato's folders owned by stackato. Written into the node's own /etc layer only.
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const STACKATO_USER = 'stackato';
export const STACKATO_HOME = '/home/stackato';
/**
 * The lab's default password of stackato. A real VM starts with `stackato` (kato.md section 4), but a
 * secret equal to the user name would be masked wherever the name appears in output (src/report/redact.ts).
 */
export const DEFAULT_STACKATO_PASSWORD = 'lab-sudo-pass';

export interface StackatoAccount {
  password: string;
  /** Add /etc/sudoers.d/nopasswd as automation does (kato.md section 2); the default lab asks for the password. */
  nopasswd: boolean;
}

const lines = (file: string): string[] =>
  existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];

/** The first id from 1000 up that neither /etc/passwd nor /etc/group of the host uses. */
function freeId(): number {
  const used = new Set(
    [...lines('/etc/passwd'), ...lines('/etc/group')].map((l) => Number(l.split(':')[2])).filter(Number.isFinite),
  );
  let id = 1000;
  while (used.has(id)) id++;
  return id;
}

/** uid and gid of stackato on the node (from its /etc/passwd layer), or null before the account exists. */
export function stackatoIds(upperEtc: string): { uid: number; gid: number } | null {
  const line = lines(join(upperEtc, 'passwd')).find((l) => l.startsWith(`${STACKATO_USER}:`));
  if (!line) return null;
  const f = line.split(':');
  return { uid: Number(f[2]), gid: Number(f[3]) };
}

function hashOf(password: string): string {
  return execFileSync('openssl', ['passwd', '-6', '-stdin'], { input: `${password}\n` })
    .toString()
    .trim();
}

/** `base` (the host's copy) with the line for `name` replaced or added. */
function withLine(file: string, base: string, name: string, line: string): string {
  const from = existsSync(file) ? file : base;
  const kept = lines(from).filter((l) => !l.startsWith(`${name}:`));
  return `${[...kept, line].join('\n')}\n`;
}

function chownTree(path: string, uid: number, gid: number): void {
  const st = lstatSync(path, { throwIfNoEntry: false });
  if (!st || st.isSymbolicLink()) return;
  chownSync(path, uid, gid);
  if (st.isDirectory()) for (const e of readdirSync(path)) chownTree(join(path, e), uid, gid);
}

/**
 * Creates (or updates) stackato in the node's /etc layer: passwd, shadow, group (and ssl-cert, so kato's
 * nginx can read /etc/ssl/private/stackato.key as on Ubuntu), sudoers, a login profile with kato on PATH;
 * then gives stackato its home and kato's folders.
 */
export function ensureStackato(upperEtc: string, home: string, katoDirs: readonly string[], a: StackatoAccount): void {
  const ids = stackatoIds(upperEtc) ?? { uid: freeId(), gid: freeId() };
  const { uid, gid } = ids;
  const file = (n: string) => join(upperEtc, n);
  const shadowLine = lines(file('shadow')).find((l) => l.startsWith(`${STACKATO_USER}:`));
  const oldHash = shadowLine?.split(':')[1];
  const keep =
    oldHash &&
    execFileSync('openssl', ['passwd', '-6', '-salt', oldHash.split('$')[2] ?? '', '-stdin'], {
      input: `${a.password}\n`,
    })
      .toString()
      .trim() === oldHash;
  const hash = keep ? oldHash : hashOf(a.password);
  writeFileSync(
    file('passwd'),
    withLine(
      file('passwd'),
      '/etc/passwd',
      STACKATO_USER,
      `${STACKATO_USER}:x:${uid}:${gid}:Stackato:${STACKATO_HOME}:/bin/bash`,
    ),
  );
  writeFileSync(
    file('shadow'),
    withLine(file('shadow'), '/etc/shadow', STACKATO_USER, `${STACKATO_USER}:${hash}:20000:0:99999:7:::`),
    { mode: 0o640 },
  );
  let group = withLine(file('group'), '/etc/group', STACKATO_USER, `${STACKATO_USER}:x:${gid}:`);
  group = group.replace(/^(ssl-cert:[^:]*:[^:]*:)(.*)$/m, (_m, head: string, members: string) => {
    const list = members.split(',').filter((m) => m && m !== STACKATO_USER);
    return `${head}${[...list, STACKATO_USER].join(',')}`;
  });
  writeFileSync(file('group'), group);
  const sudoers = join(upperEtc, 'sudoers.d');
  mkdirSync(sudoers, { recursive: true });
  // As a Stackato VM ships: stackato may sudo, with its password (no NOPASSWD by default). The VM grants it in
  // /etc/sudoers, read before /etc/sudoers.d; sudo takes the last rule that matches, so automation's
  // /etc/sudoers.d/nopasswd wins over it. Here the grant is a file that sorts before `nopasswd`, for the same order.
  rmSync(join(sudoers, 'stackato'), { force: true });
  writeFileSync(
    join(sudoers, '00-stackato'),
    `${STACKATO_USER} ALL=(ALL:ALL) ALL\nDefaults:${STACKATO_USER} lecture=never\n`,
    {
      mode: 0o440,
    },
  );
  const nopasswd = join(sudoers, 'nopasswd');
  if (a.nopasswd) writeFileSync(nopasswd, `${STACKATO_USER} ALL=(ALL) NOPASSWD: ALL\n`, { mode: 0o440 });
  else rmSync(nopasswd, { force: true });
  mkdirSync(home, { recursive: true });
  writeFileSync(
    join(home, '.profile'),
    '# kato lives in ~/bin on a Stackato VM; the lab tools (ip, nginx) in the sbin folders\nexport PATH="$HOME/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"\n',
  );
  chownTree(home, uid, gid);
  for (const d of katoDirs) chownTree(d, uid, gid);
}

/** The lab's user key for stackato (~/.ssh/authorized_keys, owned by stackato as sshd wants). */
export function authorizeStackato(home: string, keys: string): void {
  const st = lstatSync(home);
  const ssh = join(home, '.ssh');
  mkdirSync(ssh, { recursive: true, mode: 0o700 });
  writeFileSync(join(ssh, 'authorized_keys'), keys, { mode: 0o600 });
  chownTree(ssh, st.uid, st.gid);
}
