// How to reach one host: inventory connection vars, ssh arguments and the OpenSSH client config, merged.
import { statSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import { quote, Secret } from '../command.js';
import { diag, InputError } from '../errors.js';
import type { ResolvedHost } from '../inventory/types.js';
import {
  BECOME_METHODS,
  type BecomeMethod,
  type HostBecome,
  SU_PASSWORD_HINT,
  SU_PASSWORD_WHY,
  truthOf,
} from '../privilege.js';
import { hostNameProblem, userNameProblem } from './openssh-names.js';
import { lookupSshConfig, readSshConfig } from './ssh-config.js';
import { emptySettings, parseSshArgs } from './ssh-settings.js';

export type HostKeyChecking = 'strict' | 'accept-new' | 'off';

export interface HostConnection {
  /** Inventory name. */
  name: string;
  kind: 'ssh' | 'local';
  /** Address to connect to (after ansible_host and the config's HostName). */
  address: string;
  port: number;
  user: string;
  /** Private key files named by vars, arguments or config, in the order to try them. */
  keyFiles: string[];
  password?: Secret;
  /** What the host's become vars say; src/privilege.ts combines it with play and task keywords. */
  become: HostBecome;
  /** ProxyCommand with its %h %p %r %n %% tokens still in; see expandProxyCommand. */
  proxyCommand?: string;
  /** ProxyJump spec: `[user@]host[:port]` hops, comma-separated. */
  proxyJump?: string;
  /** From StrictHostKeyChecking in ssh args or config; overrides the run's default for this host. */
  hostKeyChecking?: HostKeyChecking;
  /** From UserKnownHostsFile; replaces ~/.ssh/known_hosts as the user's file for this host. */
  knownHostsFiles?: string[];
  connectTimeoutSec?: number;
  keepaliveSec?: number;
  keepaliveCountMax?: number;
  /** stackplay_shell_session: run plain commands through one long-lived shell (see shell-session.ts). */
  shellSession?: boolean;
}

export interface ConnectionDefaults {
  /** Local user name, the default remote user (default: the current user). */
  user?: string;
  /** Home folder for `~` (default: os.homedir()). */
  home?: string;
  /** OpenSSH client config; null reads none (default: $STACKPLAY_SSH_CONFIG or ~/.ssh/config). */
  sshConfigFile?: string | null;
  /** Environment to read STACKPLAY_SSH_CONFIG from (default: process.env). */
  env?: Readonly<Record<string, string | undefined>>;
}

const SHORT_NAMES = {
  host: ['host', 'ssh_host'],
  port: ['port', 'ssh_port'],
  user: ['user', 'ssh_user'],
  key: ['ssh_private_key_file', 'private_key_file'],
  password: ['password', 'ssh_pass', 'ssh_password'],
  become: ['become'],
  becomeUser: ['become_user'],
  becomeMethod: ['become_method'],
  becomePassword: ['become_password', 'become_pass'],
  commonArgs: ['ssh_common_args'],
  extraArgs: ['ssh_extra_args'],
  connection: ['connection'],
} as const;
type Field = keyof typeof SHORT_NAMES;

/** The var names of each field in precedence order: any `stackplay_` name wins over any `ansible_` name. */
const VAR_NAMES = Object.fromEntries(
  (Object.keys(SHORT_NAMES) as Field[]).map((f) => [
    f,
    ['stackplay_', 'ansible_'].flatMap((prefix) => SHORT_NAMES[f].map((short) => prefix + short)),
  ]),
) as Record<Field, string[]>;

/** The var that sets `field`. */
function varOf(vars: Record<string, unknown>, field: Field): { name: string; value: unknown } | undefined {
  for (const name of VAR_NAMES[field]) {
    const value = vars[name];
    if (value !== undefined && value !== null && value !== '') return { name, value };
  }
  return undefined;
}

let loginUser: string | undefined;
/** The controller's user name, asked once: os.userInfo() reads the passwd database on every call. */
const controllerUser = (): string => {
  loginUser ??= userInfo().username;
  return loginUser;
};

/** A connection var that cannot be used; `varName` lets the loader point at where it was set. */
export class ConnectionVarError extends InputError {
  constructor(
    readonly host: string,
    readonly varName: string | undefined,
    message: string,
    hint?: string,
  ) {
    super([diag('E_CONNECTION_VAR', `host ${host}: ${message}`, undefined, hint)]);
  }
}

const bad = (host: string, message: string, hint?: string, varName?: string): InputError =>
  new ConnectionVarError(host, varName, message, hint);

const text = (host: string, v: { name: string; value: unknown }): string => {
  if (typeof v.value === 'string') return v.value;
  if (typeof v.value === 'number') return String(v.value);
  throw bad(host, `${v.name} must be a string, got ${JSON.stringify(v.value)}`, undefined, v.name);
};

const secret = (host: string, v: { name: string; value: unknown }): Secret =>
  v.value instanceof Secret ? v.value : new Secret(text(host, v));

function flag(host: string, v: { name: string; value: unknown }): boolean {
  const b = truthOf(v.value);
  if (b !== undefined) return b;
  throw bad(
    host,
    `${v.name} must be true or false, got ${JSON.stringify(v.value)}`,
    'use true/false (yes/no, on/off and 1/0 are read as Ansible reads them)',
    v.name,
  );
}

function portOf(host: string, value: string, source: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n < 1 || n > 65535)
    throw bad(host, `${source} must be a port number (1-65535), got "${value}"`, 'e.g. ansible_port=2222', source);
  return n;
}

/** A host name or user as OpenSSH would take it: anything else could run on the controller through a ProxyCommand. */
function checked(host: string, kind: 'host' | 'user', value: string, source: string): string {
  const problem = kind === 'host' ? hostNameProblem(value) : userNameProblem(value);
  if (problem === undefined) return value;
  throw bad(
    host,
    `${source} ${JSON.stringify(value)} is not a valid ${kind === 'host' ? 'host name' : 'user name'}: ${problem}`,
    value.includes('{{')
      ? 'connection vars are read as written, not rendered as templates: write the value itself'
      : kind === 'host'
        ? 'give a host name or an IP address'
        : 'give a plain user name',
    source,
  );
}

function becomeMethodOf(host: string, v: { name: string; value: unknown }): BecomeMethod {
  const m = text(host, v);
  if ((BECOME_METHODS as readonly string[]).includes(m)) return m as BecomeMethod;
  throw bad(host, `${v.name} "${m}" is not supported`, `use ${BECOME_METHODS.join(' or ')}`, v.name);
}

/** A private key named by a var must be a readable regular file: ssh would otherwise fail only when connecting. */
function keyFileOf(host: string, path: string, source: string): string {
  let ok = false;
  try {
    ok = statSync(path).isFile();
  } catch {
    ok = false;
  }
  if (!ok) throw bad(host, `${source}: no key file at ${path}`, 'give the path of a private key file', source);
  return path;
}

function seconds(host: string, value: string | undefined, source: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value.trim()))
    throw bad(host, `${source} must be a whole number of seconds, got "${value}"`, 'e.g. ConnectTimeout=10');
  return Number(value);
}

const expandTilde = (p: string, home: string): string =>
  p === '~' ? home : p.startsWith('~/') ? join(home, p.slice(2)) : p;

/** Replaces OpenSSH tokens; unknown tokens are left as they are. */
function expandTokens(s: string, tokens: Record<string, string>): string {
  return s.replace(/%(.)/g, (all, c: string) => (c === '%' ? '%' : (tokens[c] ?? all)));
}

/**
 * ProxyCommand with %h (address), %p (port), %r (user), %n (inventory name) and %% filled in.
 * The values were checked as OpenSSH checks them (connectionOf) and are shell-quoted besides, as
 * the command runs through `sh -c`: a plain address or user stays as it is.
 */
export const expandProxyCommand = (
  c: Pick<HostConnection, 'name' | 'address' | 'port' | 'user'>,
  command: string,
): string => expandTokens(command, { h: quote(c.address), p: String(c.port), r: quote(c.user), n: quote(c.name) });

const LOCAL_NAMES = new Set(['localhost', '127.0.0.1', '::1']);

function hostKeyCheckingOf(host: string, value: string | undefined): HostKeyChecking | undefined {
  if (value === undefined) return undefined;
  const v = value.toLowerCase();
  if (v === 'yes' || v === 'ask') return 'strict';
  if (v === 'accept-new') return 'accept-new';
  if (v === 'no' || v === 'off') return 'off';
  throw bad(
    host,
    `StrictHostKeyChecking must be yes, accept-new or no, got "${value}"`,
    'e.g. -o StrictHostKeyChecking=accept-new',
  );
}

function argsOf(
  host: string,
  v: { name: string; value: unknown } | undefined,
  settings: ReturnType<typeof emptySettings>,
): string | undefined {
  if (!v) return undefined;
  try {
    return parseSshArgs(text(host, v), settings).configFile;
  } catch (e) {
    throw bad(
      host,
      `${v.name}: ${(e as Error).message}`,
      'e.g. -o ProxyCommand="ssh -W %h:%p bastion" or -J bastion',
      v.name,
    );
  }
}

/**
 * How to reach `host`. Precedence, highest first: `stackplay_*` vars, `ansible_*` vars,
 * ssh_common_args, ssh_extra_args (first value wins, as in ssh(1)), then the OpenSSH config.
 * Throws InputError (E_CONNECTION_VAR) for a value that cannot be used.
 */
export function connectionOf(host: ResolvedHost, defaults: ConnectionDefaults = {}): HostConnection {
  const vars = host.vars;
  const name = host.name;
  const home = defaults.home ?? homedir();
  const localUser = defaults.user ?? controllerUser();
  const get = (f: Field) => varOf(vars, f);

  const settings = emptySettings();
  const common = get('commonArgs');
  const extra = get('extraArgs');
  const argsConfig = argsOf(name, common, settings) ?? argsOf(name, extra, settings);
  const configFile =
    argsConfig ??
    (defaults.sshConfigFile === undefined
      ? ((defaults.env ?? process.env).STACKPLAY_SSH_CONFIG ?? join(home, '.ssh', 'config'))
      : defaults.sshConfigFile);

  const hostVar = get('host');
  const target = checked(name, 'host', hostVar ? text(name, hostVar) : name, hostVar?.name ?? 'the inventory name');
  if (configFile !== null) lookupSshConfig(readSshConfig(expandTilde(configFile, home)), target, settings);
  const s = settings.values;

  const portVar = get('port');
  const port = portVar ? portOf(name, text(name, portVar), portVar.name) : s.port ? portOf(name, s.port, 'Port') : 22;
  const userVar = get('user');
  const user = checked(
    name,
    'user',
    userVar ? text(name, userVar) : (s.user ?? localUser),
    userVar?.name ?? (s.user ? 'User' : 'the local user name'),
  );
  const address = s.hostname ? checked(name, 'host', expandTokens(s.hostname, { h: target }), 'HostName') : target;

  const fileTokens = { d: home, u: localUser, h: address, r: user, n: name, p: String(port) };
  const keyVar = get('key');
  const keyFiles = [
    ...(keyVar ? [keyFileOf(name, expandTilde(expandTokens(text(name, keyVar), fileTokens), home), keyVar.name)] : []),
    ...settings.identityFiles.map((f) => expandTilde(expandTokens(f, fileTokens), home)),
  ];

  const connVar = get('connection');
  let kind: 'ssh' | 'local';
  if (connVar) {
    const c = text(name, connVar);
    if (c === 'local') kind = 'local';
    else if (c === 'ssh' || c === 'smart' || c === 'paramiko') kind = 'ssh';
    else throw bad(name, `${connVar.name} "${c}" is not supported`, 'use ssh or local', connVar.name);
  } else {
    const settingsGiven = [portVar, userVar, keyVar, get('password'), common, extra].some((v) => v !== undefined);
    kind = LOCAL_NAMES.has(target) && !settingsGiven ? 'local' : 'ssh';
  }

  const conn: HostConnection = { name, kind, address, port, user, keyFiles, become: becomeOf(name, get) };
  const password = get('password');
  if (password) conn.password = secret(name, password);

  if (s.proxycommand && s.proxycommand.toLowerCase() !== 'none') conn.proxyCommand = s.proxycommand;
  else if (s.proxyjump && s.proxyjump.toLowerCase() !== 'none') {
    for (const hop of s.proxyjump.split(',')) if (hop.trim()) checkedHop(name, hop);
    conn.proxyJump = s.proxyjump;
  }
  const checking = hostKeyCheckingOf(name, s.stricthostkeychecking);
  if (checking) conn.hostKeyChecking = checking;
  if (s.userknownhostsfile)
    conn.knownHostsFiles = s.userknownhostsfile
      .split(/\s+/)
      .filter(Boolean)
      .map((f) => expandTilde(expandTokens(f, fileTokens), home));
  const connectTimeout = seconds(name, s.connecttimeout, 'ConnectTimeout');
  if (connectTimeout) conn.connectTimeoutSec = connectTimeout;
  // ServerAliveInterval=0 turns keepalive off, as in OpenSSH (a dead link is then never noticed).
  const alive = seconds(name, s.serveraliveinterval, 'ServerAliveInterval');
  if (alive !== undefined) conn.keepaliveSec = alive;
  const aliveMax = seconds(name, s.serveralivecountmax, 'ServerAliveCountMax');
  if (aliveMax) conn.keepaliveCountMax = aliveMax;
  if (vars.stackplay_shell_session !== undefined)
    conn.shellSession = flag(name, { name: 'stackplay_shell_session', value: vars.stackplay_shell_session });
  return conn;
}

/** The host's become vars, checked: a method stackplay knows, a user OpenSSH would accept, no su with a password. */
function becomeOf(name: string, get: (f: Field) => { name: string; value: unknown } | undefined): HostBecome {
  const b: HostBecome = {};
  const become = get('become');
  if (become) b.enabled = flag(name, become);
  const user = get('becomeUser');
  if (user) b.user = checked(name, 'user', text(name, user), user.name);
  const method = get('becomeMethod');
  if (method) b.method = becomeMethodOf(name, method);
  const password = get('becomePassword');
  if (password) b.password = secret(name, password);
  if (b.method === 'su' && b.password)
    throw bad(name, `${method!.name} su with ${password!.name}: ${SU_PASSWORD_WHY}`, SU_PASSWORD_HINT, method!.name);
  return b;
}

/** A ProxyJump hop's host and user, checked as the target's are (they reach ssh the same way). */
function checkedHop(name: string, spec: string): void {
  const hop = jumpHostOf(spec, name);
  checked(name, 'host', hop.name, 'ProxyJump');
  if (typeof hop.vars.ansible_user === 'string') checked(name, 'user', hop.vars.ansible_user, 'ProxyJump');
}

/** One ProxyJump hop `[ssh://][user@]host[:port]` (IPv6 in brackets) as a ResolvedHost for connectionOf. */
export function jumpHostOf(spec: string, host = spec): ResolvedHost {
  const m = /^(?:ssh:\/\/)?(?:([^@\s]+)@)?(\[[^\]]+\]|[^:@\s[\]]+)(?::(\d+))?$/.exec(spec.trim());
  if (!m) throw bad(host, `cannot read ProxyJump hop "${spec}"`, 'expected [user@]host[:port]');
  const hostName = m[2]!.replace(/^\[(.*)\]$/, '$1');
  const vars: Record<string, unknown> = { ansible_connection: 'ssh' };
  if (m[1]) vars.ansible_user = m[1];
  if (m[3]) vars.ansible_port = m[3];
  return { name: hostName, groups: [], vars };
}
