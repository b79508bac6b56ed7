// Functions a template can call: range, lookup/query ('env', 'file', 'template', 'pipe'), and the omit placeholder.
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { OMIT } from './filters-core.js';
import { TypeUse, toText } from './values.js';

export interface LookupHost {
  /** The folder relative paths start from (the playbook's). */
  baseDir(): string;
  /** Renders a template file's text with the current variables (lookup('template')). */
  renderFile(text: string, file: string): string;
  /** False while the engine renders a task ahead of its turn (src/engine/lookahead.ts): a pipe must run only in its place. */
  pipeAllowed?(): boolean;
}

const MAX_RANGE = 1_000_000;

function range(a: number, b?: number, step = 1): number[] {
  const [start, stop] = b === undefined ? [0, a] : [a, b];
  if (step === 0) throw new TypeUse('range() step must not be zero');
  const n = Math.max(0, Math.ceil((stop - start) / step));
  if (n > MAX_RANGE) throw new TypeUse(`range() of more than ${MAX_RANGE} items`);
  return Array.from({ length: n }, (_, i) => start + i * step);
}

function readRegular(path: string): string {
  if (!statSync(path).isFile()) throw new TypeUse(`${path} is not a regular file`);
  return readFileSync(path, 'utf8');
}

function one(host: LookupHost, kind: string, term: string): string {
  const path = () => (isAbsolute(term) ? term : resolve(host.baseDir(), term));
  switch (kind) {
    case 'env':
      return process.env[term] ?? '';
    case 'file':
      try {
        return readRegular(path()).replace(/\s+$/, '');
      } catch (e) {
        throw new TypeUse(`lookup('file'): cannot read ${term}: ${(e as Error).message}`);
      }
    case 'template':
      return host.renderFile(readRegular(path()), term);
    case 'pipe':
      if (host.pipeAllowed?.() === false) throw new TypeUse("lookup('pipe') runs only when its task does");
      try {
        return execFileSync('/bin/sh', ['-c', term], {
          encoding: 'utf8',
          timeout: 60_000,
          cwd: host.baseDir(),
          stdio: ['ignore', 'pipe', 'pipe'],
        }).replace(/\s+$/, '');
      } catch (e) {
        throw new TypeUse(`lookup('pipe'): command failed: ${(e as Error).message.split('\n')[0]}`);
      }
    default:
      throw new TypeUse(`unknown lookup "${kind}" (stackplay has env, file, template, pipe)`);
  }
}

export function globals(host: LookupHost): Record<string, unknown> {
  const terms = (args: unknown[]) => args.filter((a) => typeof a !== 'object' || a === null).map((a) => toText(a));
  return {
    range,
    omit: OMIT,
    lookup: (kind: string, ...args: unknown[]) =>
      terms(args)
        .map((t) => one(host, kind, t))
        .join(','),
    query: (kind: string, ...args: unknown[]) => terms(args).map((t) => one(host, kind, t)),
    q: (kind: string, ...args: unknown[]) => terms(args).map((t) => one(host, kind, t)),
  };
}
