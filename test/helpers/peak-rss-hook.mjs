// Loaded with `node --import` into a CLI child: on exit, writes the process's peak RSS (VmHWM, kB) to $STACKPLAY_PEAK_RSS_FILE.
import { readFileSync, writeFileSync } from 'node:fs';

const out = process.env.STACKPLAY_PEAK_RSS_FILE;
if (out)
  process.on('exit', () => {
    const m = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    writeFileSync(out, m ? m[1] : '');
  });
