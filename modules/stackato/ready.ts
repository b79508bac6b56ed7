// Waiting for kato's processes after setup or attach: `kato process ready --block N all` (reference/kato.md
// section 2: it prints READY once every configured process is up; scripts use --block), bounded by a param.
import { exec, kato, z, type Step } from '../../src/sdk.js';

export const readyTimeout = z
  .number()
  .int()
  .positive()
  .default(600)
  .describe('seconds to wait for the processes to be up after setup or attach (kato process ready --block)');

/**
 * The wait; when it runs out, `kato status` goes to the error output so the failure shows which roles are
 * STARTING or FATAL, and the step fails (kato before 3.4.1 exits 0 even then: READY is what counts).
 */
export const waitReady = (seconds: number): Step =>
  exec(
    `wait until every process is up (at most ${seconds}s)`,
    kato`kato process ready --block ${seconds} all | grep -qx READY || { echo "not ready after ${seconds}s; kato status:" >&2; kato status >&2; exit 1; }`,
  );
