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

/** Every string or number under a value (a secret dict's leaves are all secret). */
function leavesOf(value: unknown, out: string[]): void {
  if (typeof value === 'string' || typeof value === 'number') out.push(String(value));
  else if (Array.isArray(value)) for (const v of value) leavesOf(v, out);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) leavesOf(v, out);
}

/**
 * Values of secret vars: named like a password, or marked in `stackplay_secret_vars` (here or in
 * `alsoMarked`), at any depth of a dict (`db: {password: ...}`).
 */
export function secretValuesOf(vars: Record<string, unknown>, alsoMarked: Iterable<string> = []): string[] {
  const marked = new Set([...markedSecretNames(vars), ...alsoMarked]);
  const out: string[] = [];
  const visit = (obj: Record<string, unknown>) => {
    for (const [k, v] of Object.entries(obj)) {
      if (SECRET_VAR.test(k) || marked.has(k)) leavesOf(v, out);
      else if (v && typeof v === 'object' && !Array.isArray(v)) visit(v as Record<string, unknown>);
    }
  };
  visit(vars);
  return out.filter((v) => v.length >= 3);
}

/** Secret values across layers of vars (inventory hosts and groups, plays, -e): a name marked in one is secret in all. */
export function secretsOfLayers(layers: readonly Record<string, unknown>[]): string[] {
  const marked = layers.flatMap(markedSecretNames);
  return [...new Set(layers.flatMap((vars) => secretValuesOf(vars, marked)))];
}

/** A run of this many characters of a secret is masked wherever it appears (a truncated or split secret). */
export const SECRET_PART = 8;

/** The forms a secret takes in output: as is, JSON-escaped (inside a quoted JSON string) and single-quoted for a shell. */
function formsOf(secret: string): string[] {
  return [...new Set([secret, JSON.stringify(secret).slice(1, -1), secret.replace(/'/g, `'\\''`)])];
}

/** A text filter that masks every given secret: whole in any of its forms, and any part of SECRET_PART characters. */
export function textMasker(secrets: Iterable<string>): (text: string) => string {
  const forms = [...new Set([...secrets].filter((s) => s.length >= 3).flatMap(formsOf))].sort(
    (a, b) => b.length - a.length,
  );
  const parts = new Set<string>();
  for (const f of forms)
    if (f.length > SECRET_PART)
      for (let i = 0; i + SECRET_PART <= f.length; i++) parts.add(f.slice(i, i + SECRET_PART));
  if (forms.length === 0) return (text) => text;
  return (text) => {
    let s = text;
    for (const f of forms) if (s.includes(f)) s = s.split(f).join(MASK);
    if (parts.size === 0 || s.length < SECRET_PART) return s;
    // Mark every position covered by a secret part, then replace each covered run with one mask.
    const covered = new Uint8Array(s.length);
    let any = false;
    for (let i = 0; i + SECRET_PART <= s.length; i++) {
      if (!parts.has(s.slice(i, i + SECRET_PART))) continue;
      covered.fill(1, i, i + SECRET_PART);
      any = true;
    }
    if (!any) return s;
    let out = '';
    for (let i = 0; i < s.length; i++) {
      if (!covered[i]) out += s[i];
      else if (i === 0 || !covered[i - 1]) out += MASK;
    }
    return out;
  };
}

/** Secrets known to this process: every output path (the CLI's stdout and stderr) masks them. */
const known = new Set<string>();
let knownMasker: ((text: string) => string) | undefined;

/** Adds secret values to those masked in all output, diagnostics included. */
export function registerSecrets(values: Iterable<string>): void {
  for (const v of values) {
    if (v.length < 3 || known.has(v)) continue;
    known.add(v);
    knownMasker = undefined;
  }
}

/** `text` with every registered secret masked. */
export function maskOutput(text: string): string {
  knownMasker ??= textMasker(known);
  return knownMasker(text);
}

function scrub(value: unknown, mask: (text: string) => string): unknown {
  if (typeof value === 'string') return mask(value);
  if (Array.isArray(value)) return value.map((v) => scrub(v, mask));
  if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    // the runnable form of a command may hold revealed secrets
    const dropText = 'display' in obj;
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(obj)) {
      if (dropText && k === 'text') continue;
      const v = obj[k];
      const clean = k === 'stdin' && v !== undefined ? MASK : scrub(v, mask);
      // Defined, not assigned: a key such as "__proto__" (a host name) stays a key.
      if (k === '__proto__')
        Object.defineProperty(out, k, { value: clean, enumerable: true, writable: true, configurable: true });
      else out[k] = clean;
    }
    return out;
  }
  return value;
}

/** Wraps a reporter so that no event reaching it carries a secret. `secrets` may grow during the run. */
export function redactingReporter(inner: Reporter, secrets: () => readonly string[]): Reporter {
  let seen = -1;
  let mask: (text: string) => string = (t) => t;
  return (e) => {
    const now = secrets();
    if (now.length !== seen) {
      seen = now.length;
      mask = textMasker(now);
    }
    inner(scrub(e, mask) as RunEvent);
  };
}
