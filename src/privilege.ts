// Privilege escalation (become) is decided here and only here: host vars, play and task keywords, one answer.
import type { Become } from './command.js';
import type { Secret } from './command.js';

export const BECOME_METHODS = ['sudo', 'su'] as const;
export type BecomeMethod = (typeof BECOME_METHODS)[number];

/** What a host's connection vars (`ansible_become*`, `stackplay_become*`) say; unset fields leave the keywords to decide. */
export interface HostBecome {
  enabled?: boolean;
  user?: string;
  method?: BecomeMethod;
  password?: Secret;
}

/** The `become`, `become_user` and `become_method` keywords of a play or task, as loaded. */
export interface BecomeKeywords {
  become?: boolean | undefined;
  becomeUser?: string | undefined;
  becomeMethod?: BecomeMethod | undefined;
}

const TRUE = new Set(['y', 'yes', 'on', '1', 'true', 't', '1.0']);
const FALSE = new Set(['n', 'no', 'off', '0', 'false', 'f', '0.0']);

/**
 * Ansible's truthiness for booleans written as strings or numbers (`yes`, `on`, `1`, `True`, ...).
 * undefined when the value is none of them: the caller reports it (Ansible would quietly read false).
 */
export function truthOf(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value === 1 ? true : value === 0 ? false : undefined;
  if (typeof value !== 'string') return undefined;
  const s = value.trim().toLowerCase();
  return TRUE.has(s) ? true : FALSE.has(s) ? false : undefined;
}

/**
 * The privilege a task, handler, fact probe or lock runs with. As in Ansible, connection variables
 * beat keywords: host vars, then the task's keywords, then the play's; the default is no become,
 * and when become is on, sudo to root. undefined means run as the login user.
 */
export function privilegeFor(
  host: HostBecome | undefined,
  ...keywords: (BecomeKeywords | undefined)[]
): Become | undefined {
  const pick = <K extends keyof BecomeKeywords>(k: K): BecomeKeywords[K] => {
    for (const kw of keywords) if (kw?.[k] !== undefined) return kw[k];
    return undefined;
  };
  const enabled = host?.enabled ?? pick('become') ?? false;
  if (!enabled) return undefined;
  const b: Become = {
    user: host?.user ?? pick('becomeUser') ?? 'root',
    method: host?.method ?? pick('becomeMethod') ?? 'sudo',
  };
  if (host?.password) b.password = host.password;
  return b;
}

/**
 * Whether this privilege would have su answer a password prompt, which stackplay cannot: su with a become
 * password, from a login that is neither root (su asks root nothing) nor the target user (no become at all).
 */
export const suNeedsPassword = (b: Become | undefined, login: string | undefined): boolean =>
  b?.method === 'su' && b.password !== undefined && login !== 'root' && login !== b.user;

/** Why su with a become password cannot run. */
export const SU_PASSWORD_WHY = 'su reads a password only from a terminal, which stackplay does not open';

/** What to do instead of su with a become password (refused at load, host vars and keywords alike). */
export const SU_PASSWORD_HINT =
  'use become_method sudo (its password is read from stdin), or connect as root and su without a password';

/** The privilege of work that belongs to no task (the cluster lock, gather_facts): the host vars alone, then the play. */
export const hostPrivilege = (host: HostBecome | undefined, play?: BecomeKeywords): Become | undefined =>
  privilegeFor(host, play);
