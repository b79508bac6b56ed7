// Counting round trips: how often the controller sends to a host and then waits for its reply.
//
// Requests sent in the same turn of the event loop travel together (the SFTP write, mode and close
// of a small file; a shell-session batch) and are one round trip; a request sent after a reply
// came back is another. Connecting (handshake, auth, the command shell's start) is not counted.
export class RoundTrips {
  #count = 0;
  #burst = false;

  /** Called right before a request goes out that the controller will wait on. */
  sent(times = 1): void {
    if (times > 1) {
      this.#count += times;
      return;
    }
    if (this.#burst) return;
    this.#count++;
    this.#burst = true;
    setImmediate(() => {
      this.#burst = false;
    });
  }

  get count(): number {
    return this.#count;
  }
}
