// kato's privileged work through the node's real sudo: kato runs as stackato and, when it must write a
// system file or change the network, asks for stackato's password (reference/kato.md section 2 and 2.10).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import type { Ctx } from './ctx.js';
import { KatoError } from './errors.js';
import { PATHS } from './node.js';

/** sudo ran (or refused) the command itself, not for the password: the exit status and what it said. */
export class SudoCommandError extends KatoError {
  constructor(
    message: string,
    readonly status: number | null,
    readonly stderr: string,
  ) {
    super(message);
  }
}

const failed = (argv: readonly string[], why: string, r: { status: number | null; stderr: string }) =>
  new SudoCommandError(
    `sudo ${argv[0]} (to ${why}) failed: ${r.stderr.trim() || `exit ${r.status}`}`,
    r.status,
    r.stderr,
  );

const sudo = (args: readonly string[], input = '') =>
  spawnSync('sudo', args, { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });

/**
 * Runs argv as root. sudo without a password first (NOPASSWD, as automation sets it up); otherwise kato
 * asks once per command for the password, and real sudo checks it: a wrong one fails the command.
 */
export async function asRoot(ctx: Ctx, why: string, argv: readonly string[]): Promise<string> {
  const first = sudo(['-n', '--', ...argv]);
  if (first.status === 0) return first.stdout;
  if (!/password is required/.test(first.stderr)) throw failed(argv, why, first);
  const user = userInfo().username;
  if (ctx.sudoPassword === undefined) {
    const answer = await ctx.prompt.ask(`[sudo] password for ${user}: `, { secret: true });
    if (answer === null)
      throw new KatoError(
        `kato needs sudo to ${why} and asked for the password of ${user}, but got no answer`,
        'give the password at the prompt (stackplay: ansible_become_password with become), or NOPASSWD sudo in /etc/sudoers.d/nopasswd',
      );
    ctx.sudoPassword = answer;
  }
  // Only the password on stdin: sudo would read further lines as new attempts.
  const r = sudo(['-S', '-p', '', '--', ...argv], `${ctx.sudoPassword}\n`);
  if (r.status !== 0) {
    if (/incorrect password|try again|Authentication failure/i.test(r.stderr))
      throw new KatoError(`sudo: incorrect password for ${user} (kato needed sudo to ${why})`);
    throw failed(argv, why, r);
  }
  return r.stdout;
}

/** Writes a root-owned system file through sudo; unchanged content needs no sudo. */
export async function writeSystemFile(
  ctx: Ctx,
  file: string,
  text: string,
  o: { mode?: string; group?: string } = {},
): Promise<void> {
  let current: string | null = null;
  try {
    current = readFileSync(file, 'utf8');
  } catch {
    /* absent or unreadable: write it */
  }
  if (current === text) return;
  const tmpDir = join(PATHS.run, '..', 'tmp');
  mkdirSync(tmpDir, { recursive: true });
  const tmp = join(tmpDir, `write-${process.pid}-${Math.random().toString(16).slice(2)}`);
  writeFileSync(tmp, text, { mode: 0o600 });
  try {
    await asRoot(ctx, `write ${file}`, [
      'install',
      '-D',
      '-m',
      o.mode ?? '0644',
      '-o',
      'root',
      '-g',
      o.group ?? 'root',
      tmp,
      file,
    ]);
  } finally {
    rmSync(tmp, { force: true });
  }
}
