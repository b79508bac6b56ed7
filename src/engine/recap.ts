// Per-host tallies for the end-of-run recap, and the exit code they imply.
import type { HostStatus, RecapLine } from '../report/events.js';
import { ExitCode } from '../exit-codes.js';

export class Recap {
  readonly lines = new Map<string, RecapLine>();

  ensure(host: string): RecapLine {
    let line = this.lines.get(host);
    if (!line) {
      line = { ok: 0, changed: 0, failed: 0, unreachable: 0, skipped: 0, ignored: 0 };
      this.lines.set(host, line);
    }
    return line;
  }

  /**
   * ansible-core 2.14's counting: a changed task is also ok; an ignored failure counts as ok and
   * ignored (and changed when its result changed, as a failed command's does), never as failed.
   */
  count(host: string, status: HostStatus, ignored = false, changed = false): void {
    const line = this.ensure(host);
    if (status === 'changed') {
      line.changed++;
      line.ok++;
    } else if (status === 'failed' && ignored) {
      line.ignored++;
      line.ok++;
      if (changed) line.changed++;
    } else line[status]++;
  }

  toJSON(): Record<string, RecapLine> {
    return Object.fromEntries(this.lines);
  }

  exitCode(interrupted: boolean): number {
    if (interrupted) return ExitCode.interrupted;
    const all = [...this.lines.values()];
    if (all.some((l) => l.failed > 0)) return ExitCode.hostFailed;
    if (all.some((l) => l.unreachable > 0)) return ExitCode.unreachable;
    return ExitCode.ok;
  }
}
