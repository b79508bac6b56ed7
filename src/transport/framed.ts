// One stream of a command run by the command shell: its bytes up to the marker line the shell prints after it.

/** The first whole marker line in `b` of a command: where it starts and ends, and what it carried. */
function findMarker(
  b: Buffer,
  needle: Buffer,
  valued: boolean,
): { at: number; end: number; value: string } | undefined {
  for (let at = b.indexOf(needle); at >= 0; at = b.indexOf(needle, at + 1)) {
    const from = at + needle.length;
    if (!valued) return { at, end: from, value: '' };
    // `ID:CODE\n`, CODE the exit code's digits or `skip`.
    const nl = b.indexOf(10, from);
    if (nl < 0) return undefined;
    const value = b.toString('latin1', from, nl);
    if (/^(?:\d+|skip)$/.test(value)) return { at, end: nl + 1, value };
  }
  return undefined;
}

/** Bytes of one stream of a command, and whether its end marker has arrived; what follows it is the next command's. */
export class Framed {
  #chunks: Buffer[] = [];
  #size = 0;
  #tail = Buffer.alloc(0);
  #done: { content: Buffer; value: string } | undefined;
  /** `needle` is the marker line's fixed start (`valued`: an exit code and a newline follow it). */
  constructor(
    readonly needle: Buffer,
    readonly valued: boolean,
  ) {}

  /** Takes bytes of this stream; returns those past this command's end marker (the next command's), if any. */
  push(b: Buffer): Buffer | undefined {
    if (this.#done) return b;
    const before = this.#size;
    this.#chunks.push(b);
    this.#size += b.length;
    // A marker may have begun in the bytes before: they are searched again with these.
    const joined = this.#tail.length > 0 ? Buffer.concat([this.#tail, b]) : b;
    // The marker line is the last thing the shell writes for a command, and it ends with a newline.
    const m = b.includes(10) ? findMarker(joined, this.needle, this.valued) : undefined;
    if (!m) {
      this.#tail = Buffer.from(joined.subarray(-128));
      return undefined;
    }
    const offset = before - (joined.length - b.length);
    const all = this.#chunks.length === 1 ? b : Buffer.concat(this.#chunks, this.#size);
    this.#done = { content: all.subarray(0, offset + m.at), value: m.value };
    const rest = all.subarray(offset + m.end);
    this.#chunks = [];
    this.#tail = Buffer.alloc(0);
    return rest.length > 0 ? rest : undefined;
  }

  /** The content before the marker line and what the marker carried, once the marker has arrived. */
  done(): { content: Buffer; value: string } | undefined {
    return this.#done;
  }
}
