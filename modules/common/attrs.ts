// Planning mode / owner / group changes of an existing (or just created) path.
import { exec, sh, type Step } from '../../src/sdk.js';
import type { FileStat } from '../facts/files.js';
import type { Attrs } from './params.js';

/**
 * Steps that bring mode, owner and group to what is wanted. `current` is the stat before any
 * other step of the plan ran; null means the path is being created by an earlier step, so every
 * requested attribute is set (mode only if the creating step did not set it already: `modeSet`).
 */
export function planAttrs(path: string, current: FileStat | null, want: Attrs, modeSet = false): Step[] {
  const steps: Step[] = [];
  const have = current?.exists ? current : null;
  if (want.mode !== undefined && !modeSet && have?.mode !== want.mode) {
    steps.push(exec(`~ mode: ${have?.mode ?? '(new)'} -> ${want.mode}`, sh`chmod ${want.mode} -- ${path}`));
  }
  if (want.owner !== undefined && have?.owner !== want.owner) {
    steps.push(exec(`~ owner: ${have?.owner ?? '(new)'} -> ${want.owner}`, sh`chown ${want.owner} -- ${path}`));
  }
  if (want.group !== undefined && have?.group !== want.group) {
    steps.push(exec(`~ group: ${have?.group ?? '(new)'} -> ${want.group}`, sh`chgrp ${want.group} -- ${path}`));
  }
  return steps;
}
