// A command's output as it streams in: decoded per stream (UTF-8 split across chunks), kept, and passed on.
import { StringDecoder } from 'node:string_decoder';
import type { ExecOptions } from './types.js';

type Stream = 'stdout' | 'stderr';

export class OutputCollector {
  readonly text = { stdout: '', stderr: '' };
  readonly #dec = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };

  constructor(private readonly onOutput?: ExecOptions['onOutput']) {}

  write(stream: Stream, chunk: Buffer): void {
    this.#take(stream, this.#dec[stream].write(chunk));
  }

  /** Flushes what the decoders still hold (a trailing partial character). */
  end(): void {
    this.#take('stdout', this.#dec.stdout.end());
    this.#take('stderr', this.#dec.stderr.end());
  }

  #take(stream: Stream, s: string): void {
    if (!s) return;
    this.text[stream] += s;
    this.onOutput?.(stream, s);
  }
}
