// A counting semaphore that can shrink: bounds (and learns) how many channels one SSH connection may open.

export class Semaphore {
  #size: number;
  #free: number;
  /** Slots to drop as they are released (after shrink() while all were in use). */
  #debt = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 1)
      throw new RangeError(`semaphore size must be a positive integer, got ${size}`);
    this.#size = size;
    this.#free = size;
  }

  get size(): number {
    return this.#size;
  }

  /** Resolves with a release function once a slot is free; rejects if `signal` aborts first. */
  acquire(signal?: AbortSignal): Promise<() => void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason ?? new Error('aborted'));
        return;
      }
      const grant = (): void => {
        signal?.removeEventListener('abort', onAbort);
        let released = false;
        resolve(() => {
          if (released) return;
          released = true;
          this.#release();
        });
      };
      const onAbort = (): void => {
        const i = this.#waiting.indexOf(grant);
        if (i >= 0) this.#waiting.splice(i, 1);
        reject(signal?.reason ?? new Error('aborted'));
      };
      if (this.#free > 0) {
        this.#free--;
        grant();
        return;
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiting.push(grant);
    });
  }

  /** Lowers the size by one (never below 1); false when already at 1. */
  shrink(): boolean {
    if (this.#size <= 1) return false;
    this.#size--;
    if (this.#free > 0) this.#free--;
    else this.#debt++;
    return true;
  }

  #release(): void {
    if (this.#debt > 0) {
      this.#debt--;
      return;
    }
    const next = this.#waiting.shift();
    if (next) next();
    else this.#free++;
  }
}
