// One interrupt handler for every changing command: SIGINT, SIGTERM and SIGHUP stop a run the same way.
import { ExitCode } from '../exit-codes.js';

/** The signals that stop a run, with the number 128+N exit codes are built from. */
const SIGNALS = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 } as const;
type StopSignal = keyof typeof SIGNALS;

/** What a run ended by `signal` exits with: 99 for SIGINT (Ctrl-C), 128+N for the others (shells' convention). */
export const signalExitCode = (signal: StopSignal): number =>
  signal === 'SIGINT' ? ExitCode.interrupted : 128 + SIGNALS[signal];

export interface Interrupts {
  /** Aborted at the first signal: no new step starts, running ones finish, the recap is printed, the lock released. */
  signal: AbortSignal;
  /** The run's exit code, or the signal's when the run was interrupted. */
  exitCode(runCode: number): number;
  dispose(): void;
}

/**
 * Listens for SIGINT, SIGTERM and SIGHUP. The first one aborts `signal`; a second one exits at
 * once (the lock may then stay behind: --break-lock removes it).
 */
export function handleInterrupts(say: (text: string) => void, exit = (code: number) => process.exit(code)): Interrupts {
  const abort = new AbortController();
  let first: StopSignal | undefined;
  const handlers = (Object.keys(SIGNALS) as StopSignal[]).map((name) => {
    const handler = () => {
      if (first) {
        exit(signalExitCode(name));
        return;
      }
      first = name;
      const again = name === 'SIGINT' ? 'press Ctrl-C again to quit now' : `send ${name} again to quit now`;
      say(`\ninterrupt: finishing the running steps, no new ones start (${name}; ${again})\n`);
      abort.abort();
    };
    process.on(name, handler);
    return [name, handler] as const;
  });
  return {
    signal: abort.signal,
    exitCode: (runCode) => (first && abort.signal.aborted ? signalExitCode(first) : runCode),
    dispose: () => {
      for (const [name, handler] of handlers) process.off(name, handler);
    },
  };
}
