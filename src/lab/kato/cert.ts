// The node's SSL certificate at the documented paths (/etc/ssl/certs/stackato.crt, /etc/ssl/private/stackato.key),
// made as stackato and installed through sudo (the key owned by stackato: kato's nginx runs as stackato).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Ctx } from './ctx.js';
import { KatoError } from './errors.js';
import { PATHS } from './node.js';
import { asRoot, writeSystemFile } from './sudo.js';

/** Marks a certificate kato generated itself; one an administrator installed is never replaced. */
/** kato's nginx runs as stackato and reads the key itself. */
const STACKATO = 'stackato';
const MARK = `${PATHS.cert}.kato-generated`;

export const haveCert = (): boolean => existsSync(PATHS.cert) && existsSync(PATHS.key);

/** A self-signed wildcard certificate for `host` (and *.host), as a Stackato VM regenerates on rename. */
export async function generateCert(ctx: Ctx, host: string): Promise<void> {
  const dir = join(PATHS.run, '..', 'tmp', `cert-${process.pid}`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const key = join(dir, 'key');
  const crt = join(dir, 'crt');
  try {
    try {
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'ec',
          '-pkeyopt',
          'ec_paramgen_curve:prime256v1',
          '-nodes',
          '-days',
          '825',
          '-subj',
          `/CN=*.${host}`,
          '-addext',
          `subjectAltName=DNS:${host},DNS:*.${host}`,
          '-keyout',
          key,
          '-out',
          crt,
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
    } catch (e) {
      throw new KatoError(`could not generate a certificate: ${String((e as { stderr?: Buffer }).stderr ?? e).trim()}`);
    }
    await asRoot(ctx, `install ${PATHS.key}`, [
      'install',
      '-D',
      '-m',
      '0600',
      '-o',
      STACKATO,
      '-g',
      STACKATO,
      key,
      PATHS.key,
    ]);
    await writeSystemFile(ctx, PATHS.cert, readFileSync(crt, 'utf8'));
    await writeSystemFile(ctx, MARK, `${host}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Uses the installed certificate, or makes a self-signed one when there is none. */
export async function ensureCert(ctx: Ctx, host: string): Promise<'installed' | 'generated'> {
  if (haveCert()) return existsSync(MARK) ? 'generated' : 'installed';
  await generateCert(ctx, host);
  return 'generated';
}

/** On rename: regenerate only a certificate kato made; an installed one stays. */
export async function regenerateIfOurs(ctx: Ctx, host: string): Promise<boolean> {
  if (!haveCert() || !existsSync(MARK)) return false;
  await generateCert(ctx, host);
  return true;
}
