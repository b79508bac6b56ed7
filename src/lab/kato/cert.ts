// The node's SSL certificate at the documented paths (/etc/ssl/certs/stackato.crt, /etc/ssl/private/stackato.key).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { KatoError } from './errors.js';
import { PATHS } from './node.js';

/** Marks a certificate kato generated itself; one an administrator installed is never replaced. */
const MARK = `${PATHS.cert}.kato-generated`;

export const haveCert = (): boolean => existsSync(PATHS.cert) && existsSync(PATHS.key);

/** A self-signed wildcard certificate for `host` (and *.host), as a Stackato VM regenerates on rename. */
export function generateCert(host: string): void {
  for (const f of [PATHS.cert, PATHS.key]) mkdirSync(dirname(f), { recursive: true });
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
        `${PATHS.key}.tmp`,
        '-out',
        `${PATHS.cert}.tmp`,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
  } catch (e) {
    rmSync(`${PATHS.key}.tmp`, { force: true });
    throw new KatoError(`could not generate a certificate: ${String((e as { stderr?: Buffer }).stderr ?? e).trim()}`);
  }
  execFileSync('mv', ['-f', `${PATHS.key}.tmp`, PATHS.key]);
  execFileSync('mv', ['-f', `${PATHS.cert}.tmp`, PATHS.cert]);
  writeFileSync(MARK, `${host}\n`);
}

/** Uses the installed certificate, or makes a self-signed one when there is none. */
export function ensureCert(host: string): 'installed' | 'generated' {
  if (haveCert()) return existsSync(MARK) ? 'generated' : 'installed';
  generateCert(host);
  return 'generated';
}

/** On rename: regenerate only a certificate kato made; an installed one stays. */
export function regenerateIfOurs(host: string): boolean {
  if (!haveCert() || !existsSync(MARK)) return false;
  generateCert(host);
  return true;
}
