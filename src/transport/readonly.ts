// The --check wrapper: reads and read-only probes pass through; anything that could change a host is refused.
import type { Become, Command } from '../command.js';
import { CheckModeViolation } from '../errors.js';
import type { ExecOptions, ExecResult, Transport, WriteContent, WriteOptions } from './types.js';

export function readOnlyTransport(inner: Transport): Transport {
  return {
    host: inner.host,
    exec(cmd: Command, o?: ExecOptions): Promise<ExecResult> {
      if (!cmd.readOnly) return Promise.reject(new CheckModeViolation(inner.host, `run ${cmd.display}`));
      const steps = o?.followers?.steps ?? [];
      const written = steps.find((x) => 'write' in x);
      if (written && 'write' in written)
        return Promise.reject(new CheckModeViolation(inner.host, `write ${written.write.path}`));
      const bad = [...steps.flatMap((x) => ('cmd' in x ? [x.cmd] : [])), ...(o?.followers?.cmds ?? [])].find(
        (c) => !c.readOnly,
      );
      if (bad) return Promise.reject(new CheckModeViolation(inner.host, `run ${bad.display}`));
      return inner.exec(cmd, o);
    },
    read: (path: string, o?: { become?: Become }) => inner.read(path, o),
    write(path: string, _content: WriteContent, _o?: WriteOptions): Promise<void> {
      return Promise.reject(new CheckModeViolation(inner.host, `write ${path}`));
    },
    ...(inner.roundTrips ? { roundTrips: () => inner.roundTrips!() } : {}),
    // The engine owns the connection; a check-mode view of it must not end it.
    close: () => Promise.resolve(),
  };
}
