// NDJSON renderer: one JSON event per line, the last one `run:end` with the recap.
import type { Reporter } from './events.js';

export const jsonReporter =
  (write: (line: string) => void): Reporter =>
  (e) =>
    write(`${JSON.stringify(e)}\n`);
