// Waiting for kato's processes after setup or attach: `kato process ready --block N all` (reference/kato.md
// section 2: it prints READY once every configured process is up; scripts use --block), bounded by a param.
import { exec, kato, z, type Step } from '../../src/sdk.js';

export const readyTimeout = z
  .number()
  .int()
  .positive()
  .default(600)
  .describe('seconds to wait for the processes to be up after setup or attach (kato process ready --block)');

export const waitReady = (seconds: number): Step =>
  exec(`wait until every process is up (at most ${seconds}s)`, kato`kato process ready --block ${seconds} all`);
