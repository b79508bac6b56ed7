// A tiny redis client (RESP2 over TCP): one command at a time, enough for kato's config store.
import { connect, type Socket } from 'node:net';

export type RespValue = string | number | null | RespValue[];

export class RespError extends Error {}

/** Parses one reply from buf at offset; returns [value, next offset] or null when more bytes are needed. */
export function parseReply(buf: Buffer, at = 0): [RespValue | RespError, number] | null {
  const eol = buf.indexOf('\r\n', at);
  if (eol < 0) return null;
  const type = String.fromCharCode(buf[at]!);
  const line = buf.toString('utf8', at + 1, eol);
  const next = eol + 2;
  if (type === '+') return [line, next];
  if (type === '-') return [new RespError(line), next];
  if (type === ':') return [Number(line), next];
  if (type === '$') {
    const len = Number(line);
    if (len < 0) return [null, next];
    if (buf.length < next + len + 2) return null;
    return [buf.toString('utf8', next, next + len), next + len + 2];
  }
  if (type === '*') {
    const n = Number(line);
    if (n < 0) return [null, next];
    const items: RespValue[] = [];
    let pos = next;
    for (let i = 0; i < n; i++) {
      const r = parseReply(buf, pos);
      if (!r) return null;
      if (r[0] instanceof RespError) return [r[0], r[1]];
      items.push(r[0]);
      pos = r[1];
    }
    return [items, pos];
  }
  throw new RespError(`unexpected reply type ${JSON.stringify(type)}`);
}

export const encodeCommand = (args: readonly string[]): string =>
  `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;

export class RedisClient {
  private buf = Buffer.alloc(0);
  private waiting: Array<{ resolve: (v: RespValue) => void; reject: (e: Error) => void }> = [];
  private broken: Error | null = null;

  private constructor(private sock: Socket) {
    sock.on('data', (d: Buffer) => this.onData(d));
    sock.on('error', (e) => this.breakAll(e));
    sock.on('close', () => this.breakAll(new Error('connection closed')));
  }

  static open(host: string, port: number, timeoutMs: number): Promise<RedisClient> {
    return new Promise((resolve, reject) => {
      const sock = connect({ host, port });
      const timer = setTimeout(() => {
        sock.destroy();
        reject(new Error(`no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      sock.once('connect', () => {
        clearTimeout(timer);
        sock.setNoDelay(true);
        resolve(new RedisClient(sock));
      });
      sock.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
  }

  call(...args: string[]): Promise<RespValue> {
    if (this.broken) return Promise.reject(this.broken);
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.sock.write(encodeCommand(args));
    });
  }

  close(): void {
    this.broken ??= new Error('closed');
    this.sock.destroy();
  }

  private onData(d: Buffer): void {
    this.buf = Buffer.concat([this.buf, d]);
    for (;;) {
      const r = parseReply(this.buf);
      if (!r) return;
      this.buf = this.buf.subarray(r[1]);
      const w = this.waiting.shift();
      if (!w) continue;
      if (r[0] instanceof RespError) w.reject(r[0]);
      else w.resolve(r[0]);
    }
  }

  private breakAll(e: Error): void {
    this.broken ??= e;
    for (const w of this.waiting.splice(0)) w.reject(e);
  }
}
