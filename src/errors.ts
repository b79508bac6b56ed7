// Error model: diagnostics for bad input (nothing runs), host errors as results, bugs as bugs.

/** A place in a user's file; line and col are 1-based. */
export interface Span {
  file: string;
  line: number;
  col: number;
  endLine?: number;
  endCol?: number;
}

/** One problem in user input. `code` is stable (E_INVENTORY_RANGE, E_PARAM, ...) so tools can match on it. */
export interface Diagnostic {
  severity: 'error' | 'warning';
  code: string;
  message: string;
  at?: Span;
  hint?: string;
}

export class StackplayError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Invalid inventory, playbook or params: carries every diagnostic found; nothing has run (exit 4). */
export class InputError extends StackplayError {
  constructor(readonly diagnostics: Diagnostic[]) {
    super(diagnostics[0]?.code ?? 'E_INPUT', diagnostics.map((d) => d.message).join('; '));
  }
}

/** Bad command-line options (exit 5). */
export class UsageError extends StackplayError {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super('E_USAGE', message);
  }
}

/** A failure that belongs to one host; recorded as that host's result, never unwinds the run. */
export class HostError extends StackplayError {
  constructor(
    code: string,
    readonly host: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}

/** Could not connect, authenticate, or the session was lost. */
export class UnreachableError extends HostError {
  constructor(host: string, message: string, options?: { cause?: unknown }) {
    super('E_UNREACHABLE', host, message, options);
  }
}

/** The host key did not match known_hosts (a hard failure, reported as unreachable). */
export class HostKeyError extends UnreachableError {}

/** A probe's output could not be understood. */
export class FactError extends HostError {
  constructor(host: string, message: string) {
    super('E_FACT', host, message);
  }
}

/** A module planned something impossible or did not converge after apply. */
export class ModuleBugError extends StackplayError {
  constructor(
    readonly module: string,
    message: string,
  ) {
    super('E_MODULE_BUG', `bug in module ${module}: ${message}`);
  }
}

/** check mode caught an attempt to change a host: always a stackplay bug. */
export class CheckModeViolation extends StackplayError {
  constructor(host: string, what: string) {
    super('E_CHECK_WRITE', `check mode refused to change ${host}: ${what}`);
  }
}

export const diag = (code: string, message: string, at?: Span, hint?: string): Diagnostic => {
  const d: Diagnostic = { severity: 'error', code, message };
  if (at) d.at = at;
  if (hint) d.hint = hint;
  return d;
};

export const formatSpan = (s: Span): string => `${s.file}:${s.line}:${s.col}`;

/**
 * One diagnostic as text:
 *   error[E_PARAM] command: unknown key "cmdd"
 *     --> playbooks/site.yml:14:9
 *     hint: did you mean "cmd"?
 * With `source`, the offending line is quoted with a caret under the column.
 */
export function formatDiagnostic(d: Diagnostic, source?: string): string {
  const lines = [`${d.severity}[${d.code}] ${d.message}`];
  if (d.at) {
    lines.push(`  --> ${formatSpan(d.at)}`);
    const text = source?.split(/\r?\n/)[d.at.line - 1];
    if (text !== undefined) {
      const gutter = String(d.at.line);
      lines.push(`${gutter} | ${text}`);
      const width = Math.max(1, d.at.endLine === d.at.line && d.at.endCol ? d.at.endCol - d.at.col : 1);
      lines.push(
        `${' '.repeat(gutter.length)} | ${' '.repeat(Math.max(0, d.at.col - 1))}${'^'.repeat(Math.min(width, 60))}`,
      );
    }
  }
  if (d.hint) lines.push(`  hint: ${d.hint}`);
  return lines.join('\n');
}
