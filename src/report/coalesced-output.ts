// Text for a stream gathered and written once per turn of the event loop: a run prints many short event lines, and each write is a system call that also wakes the reader.

/** Writes what `write` was given since the last turn in one call; `flush` writes it now (before other output, or at exit). */
export interface Coalesced {
  write(text: string): void;
  flush(): void;
}

export function coalesced(write: (text: string) => void): Coalesced {
  let parts: string[] = [];
  let pending = false;
  const flush = (): void => {
    pending = false;
    if (parts.length === 0) return;
    const text = parts.join('');
    parts = [];
    write(text);
  };
  return {
    write(text) {
      parts.push(text);
      if (pending) return;
      pending = true;
      setImmediate(flush);
    },
    flush,
  };
}
