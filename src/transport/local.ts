// The local transport: commands through `sh -c` on this machine, files through fs with temp + rename.
import { spawn } from 'node:child_process';
import { chmod, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { wrapBecome, type Become, type Command } from '../command.js';
import { readWithBecome, parseMode, tempPathFor, writeWithBecome } from './become-files.js';
import { CommandAbortedError, CommandTimeoutError, FileTransferError } from './errors.js';
import type { ExecOptions, ExecResult, Transport, WriteContent, WriteOptions } from './types.js';
import { controllerChunks, sendStdin } from './controller-file.js';
import { OutputCollector } from './output.js';

export interface LocalOptions {
  /** Default per-command limit; none when absent. */
  commandTimeoutMs?: number;
}

class LocalTransport implements Transport {
  readonly #me = userInfo().username;
  constructor(
    readonly host: string,
    readonly o: LocalOptions,
  ) {}

  /** The call's privilege escalation, or none when already the target user (sudo may not be installed). */
  #become(requested: Become | undefined): Become | undefined {
    return requested && requested.user !== this.#me ? requested : undefined;
  }

  exec(cmd: Command, o: ExecOptions = {}): Promise<ExecResult> {
    const b = this.#become(cmd.become);
    const w = b ? wrapBecome(cmd, b) : { text: cmd.text, display: cmd.display };
    const stdin = (w.stdinPrefix ?? '') + (o.stdin ?? '') + (w.stdinSuffix ?? '');
    const limit = o.timeoutMs ?? this.o.commandTimeoutMs;
    const started = Date.now();
    return new Promise((resolve, reject) => {
      // Its own process group, so a timeout kills everything the command started.
      const child = spawn('sh', ['-c', w.text], { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
      const out = new OutputCollector(o.onOutput);
      const text = out.text;
      let done = false;
      let timer: NodeJS.Timeout | undefined;
      const finish = (settle: () => void) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        o.signal?.removeEventListener('abort', onAbort);
        settle();
      };
      const kill = () => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          child.kill('SIGKILL');
        }
      };
      const onAbort = () => {
        kill();
        finish(() => reject(new CommandAbortedError(this.host, w.display)));
      };
      if (limit !== undefined && limit > 0) {
        timer = setTimeout(() => {
          kill();
          finish(() => reject(new CommandTimeoutError(this.host, w.display, limit, text.stdout, text.stderr)));
        }, limit);
      }
      o.signal?.addEventListener('abort', onAbort, { once: true });
      child.stdout.on('data', (d: Buffer) => out.write('stdout', d));
      child.stderr.on('data', (d: Buffer) => out.write('stderr', d));
      child.stdin.on('error', () => {
        /* the command need not read its stdin */
      });
      child.on('error', (e) => finish(() => reject(e)));
      child.on('close', (code, signal) => {
        out.end();
        finish(() => resolve({ code, signal, stdout: text.stdout, stderr: text.stderr, ms: Date.now() - started }));
      });
      if (o.signal?.aborted) {
        onAbort();
        return;
      }
      sendStdin(child.stdin, stdin, o.stdinFile);
    });
  }

  async read(path: string, o: { become?: Become } = {}): Promise<string | null> {
    const b = this.#become(o.become);
    if (b) return readWithBecome(this, path, b);
    try {
      return await readFile(path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new FileTransferError(this.host, 'read', path, (e as Error).message, { cause: e });
    }
  }

  async write(path: string, content: WriteContent, o: WriteOptions = {}): Promise<void> {
    if (o.mode !== undefined) parseMode(o.mode);
    const b = this.#become(o.become);
    if (b) return writeWithBecome(this, path, content, o.mode, b);
    const tmp = tempPathFor(path);
    try {
      const mode =
        o.mode !== undefined
          ? parseMode(o.mode)
          : await stat(path).then(
              (s) => s.mode & 0o7777,
              () => 0o644,
            );
      await writeFile(tmp, typeof content === 'string' ? content : controllerChunks(content), {
        flag: 'wx',
        mode: 0o600,
      });
      await chmod(tmp, mode);
      await rename(tmp, path);
    } catch (e) {
      await unlink(tmp).catch(() => {});
      throw new FileTransferError(this.host, 'write', path, (e as Error).message, { cause: e });
    }
  }

  async close(): Promise<void> {}
}

/** A transport for this machine, named `name` in reports. */
export const localTransport = (name: string, o: LocalOptions = {}): Transport => new LocalTransport(name, o);
