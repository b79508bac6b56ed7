// Keeps secrets out of every output mode: masks known secret values and drops raw command text.
import type { Reporter, RunEvent } from './events.js';

const MASK = '********';

/** Vars whose values are secrets by name (Ansible's connection passwords and common conventions). */
export const SECRET_VAR = /(^|_)(password|passwd|pass|passphrase|secret|token|private_key|api_key)$/i;

/** The var that names further secret vars: `stackplay_secret_vars: [api_handle, dsn]` (or "a,b" in INI). */
export const SECRET_VARS_KEY = 'stackplay_secret_vars';

/** Names listed in `stackplay_secret_vars` of these vars. */
export function markedSecretNames(vars: Record<string, unknown>): string[] {
  const v = vars[SECRET_VARS_KEY];
  const list = Array.isArray(v) ? v : typeof v === 'string' ? v.split(',') : [];
  return list.map((n) => String(n).trim()).filter(Boolean);
}

/** Values of secret vars: named like a password, or marked in `stackplay_secret_vars` (here or in `alsoMarked`). */
export function secretValuesOf(vars: Record<string, unknown>, alsoMarked: Iterable<string> = []): string[] {
  const marked = new Set([...markedSecretNames(vars), ...alsoMarked]);
  return Object.entries(vars)
    .filter(([k, v]) => (SECRET_VAR.test(k) || marked.has(k)) && (typeof v === 'string' || typeof v === 'number'))
    .map(([, v]) => String(v));
}

function scrub(value: unknown, secrets: readonly string[]): unknown {
  if (typeof value === 'string') {
    let s = value;
    for (const secret of secrets) if (secret.length >= 3 && s.includes(secret)) s = s.split(secret).join(MASK);
    return s;
  }
  if (Array.isArray(value)) return value.map((v) => scrub(v, secrets));
  if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(obj)) {
      if (k === 'text' && 'display' in obj) continue; // the runnable form of a command may hold revealed secrets
      if (k === 'base64' && obj.kind === 'controller-write') continue; // encoded bytes would slip past the masking
      out[k] = k === 'stdin' && v !== undefined ? MASK : scrub(v, secrets);
    }
    return out;
  }
  return value;
}

/** Wraps a reporter so that no event reaching it carries a secret. `secrets` may grow during the run. */
export function redactingReporter(inner: Reporter, secrets: () => readonly string[]): Reporter {
  return (e) =>
    inner(
      scrub(
        e,
        [...secrets()].sort((a, b) => b.length - a.length),
      ) as RunEvent,
    );
}
