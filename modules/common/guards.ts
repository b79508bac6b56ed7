// creates / removes: the command and shell modules' only notion of "already done".
import type { HostView, Plan } from '../../src/sdk.js';
import { pathExists } from '../facts/files.js';

export interface Guards {
  creates?: string | undefined;
  removes?: string | undefined;
  chdir?: string | undefined;
}
export interface GuardFacts {
  creates?: boolean;
  removes?: boolean;
}

/** A relative creates/removes path is relative to chdir, as in Ansible. */
const under = (path: string, chdir?: string): string =>
  path.startsWith('/') || !chdir ? path : `${chdir.replace(/\/$/, '')}/${path}`;

export async function gatherGuards(host: HostView, p: Guards): Promise<GuardFacts> {
  const facts: GuardFacts = {};
  if (p.creates !== undefined) facts.creates = await host.fact(pathExists, under(p.creates, p.chdir));
  if (p.removes !== undefined) facts.removes = await host.fact(pathExists, under(p.removes, p.chdir));
  return facts;
}

/** The empty plan to return when a guard says skip, else undefined. */
export function skipByGuards(f: GuardFacts, p: Guards): Plan | undefined {
  if (p.creates !== undefined && f.creates) return { steps: [], note: `skipped: ${under(p.creates, p.chdir)} exists` };
  if (p.removes !== undefined && f.removes === false)
    return { steps: [], note: `skipped: ${under(p.removes, p.chdir)} does not exist` };
  return undefined;
}
