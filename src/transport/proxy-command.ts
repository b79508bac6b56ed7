// ProxyCommand: runs `sh -c CMD` and offers its stdin/stdout as the socket ssh2 talks over.
import { spawn } from 'node:child_process';
import { Duplex } from 'node:stream';

export interface ProxyProcess {
  stream: Duplex;
  /** The last lines the command wrote to stderr (for error messages). */
  stderrTail(): string;
  /** How the command ended, once it has. */
  exit(): { code: number | null; signal: NodeJS.Signals | null } | undefined;
  /** Resolves once the command has ended and all its stderr is read. */
  ended(): Promise<void>;
  /** Ends the command and everything it started. */
  kill(): void;
}

export function spawnProxyCommand(command: string): ProxyProcess {
  // Its own process group, so kill() also ends what the shell started (ip netns exec, socat, ssh -W).
  const child = spawn('sh', ['-c', command], { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  let stderr = '';
  let ended: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => {
    stderr = (stderr + d).slice(-2000);
  });
  child.on('exit', (code, signal) => {
    ended = { code, signal };
  });
  const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));
  child.on('error', (e) => {
    stderr += `\n${e.message}`;
    ended ??= { code: null, signal: null };
    child.emit('close');
  });
  const stream = Duplex.from({ readable: child.stdout, writable: child.stdin });
  // EPIPE after the command died is reported through the ssh error, not as an unhandled event.
  child.stdin.on('error', () => {});
  stream.on('error', () => {});
  return {
    stream,
    stderrTail: () => stderr.trim().split('\n').slice(-3).join('\n'),
    exit: () => ended,
    ended: () => closed,
    kill: () => {
      stream.destroy();
      if (ended || child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        child.kill('SIGTERM');
      }
    },
  };
}
