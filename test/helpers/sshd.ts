// A private OpenSSH server for tests: own host key, user key, known_hosts and config in a temp folder.
//
//   const sshd = await startSshd();                  // 127.0.0.1, a free port
//   t.teardown(() => sshd.stop());                   // or test.after.always
//   const host = { name: 'node1', groups: [], vars: sshd.inventoryVars() };
//
// inventoryVars() gives ansible_host/port/user/ssh_private_key_file plus ansible_ssh_common_args
// naming this server's known_hosts file (UserKnownHostsFile), so strict host key checking works
// without touching ~/.ssh. With `netns`, sshd runs inside that (existing) network namespace and
// the vars reach it through `ip netns exec NS socat - TCP:%h:%p` as ProxyCommand.
//
// Logins get a home folder of their own: sshd runs in a private mount namespace where the user's
// home (normally /root) is a folder of this server, empty unless `home` puts files in it. So a
// session's bash never reads the invoking user's ~/.bashrc (bash started by sshd reads it even
// for a plain command; SetEnv or PermitUserEnvironment cannot stop that), nor writes into ~.
//
// Needs root, /usr/sbin/sshd and unshare (see canRunSshd). stop() ends this sshd and the session
// processes it started (found by parent PID, never by name) and removes the folder; the mount
// namespace ends with them. If the test process exits without stop(), an exit hook still kills
// the servers it started.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

export interface SshdOptions {
  /** Default: a free port on `address` (22 inside a netns). */
  port?: number;
  /** Default 127.0.0.1. */
  address?: string;
  /** Run inside this existing network namespace (`ip netns exec`). */
  netns?: string;
  /** Environment for every session (sshd SetEnv), e.g. { PATH: '/fake/bin:/usr/bin:/bin' }. */
  setEnv?: Record<string, string>;
  /** sshd MaxSessions (default 10, as on a stock server). */
  maxSessions?: number;
  /** sshd MaxStartups (default 200: tests open many connections at once; a stock server has 10:30:100). */
  maxStartups?: string;
  /** Extra sshd_config lines (e.g. a second `ListenAddress`); sshd uses the first value of a keyword. */
  config?: string[];
  /** Reuse this private host key (and its .pub) instead of making a new one: "the same machine". */
  hostKeyFile?: string;
  /** Authorise this user key (and its .pub) instead of a new one, e.g. another server's userKeyFile. */
  userKeyFile?: string;
  /** Files in the login's home folder (name to content), e.g. { '.bashrc': 'echo noise >&2\n' }. */
  home?: Record<string, string>;
  /** sshd LogLevel (default ERROR, of which log() keeps the last 8,000 characters); log() then returns all it wrote. */
  logLevel?: string;
}

export interface Sshd {
  /** Address sshd listens on. */
  host: string;
  port: number;
  /** The temp folder holding keys, config, known_hosts and the pid file. */
  dir: string;
  /** The remote user (the current user, normally root). */
  user: string;
  /** The folder sessions see as the user's home (at the user's home path, in sshd's mount namespace). */
  homeDir: string;
  /** Private key authorised on this server. */
  userKeyFile: string;
  /** `[host]:port ssh-ed25519 AAAA...` for this server. */
  knownHostsFile: string;
  /** `ssh-ed25519 AAAA...` (no comment). */
  hostKeyPublic: string;
  /** The server's private host key (for hostKeyFile of another server that must look the same). */
  hostKeyFile: string;
  configFile: string;
  pid: number;
  /** Connection vars for an inventory host reaching this server (strings, INI-safe in single quotes). */
  inventoryVars(): Record<string, string>;
  /** What sshd wrote to stderr so far (LogLevel ERROR unless SshdOptions.logLevel). */
  log(): string;
  stop(): Promise<void>;
}

const SSHD = '/usr/sbin/sshd';
const SETPRIV = '/usr/bin/setpriv';
const UNSHARE = '/usr/bin/unshare';
const START_MS = 60_000;

/** Whether this machine can run the helper: root, an installed sshd and unshare. */
export const canRunSshd = (): boolean => process.getuid?.() === 0 && existsSync(SSHD) && existsSync(UNSHARE);

/** Why canRunSshd() is false, for t.log. */
export const whyNoSshd = (): string =>
  process.getuid?.() !== 0
    ? 'tests with a real sshd need root (sshd must read its host key and switch users)'
    : !existsSync(SSHD)
      ? `${SSHD} is missing (apt-get install openssh-server)`
      : `${UNSHARE} is missing (apt-get install util-linux)`;

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) {
    try {
      child.kill('SIGKILL');
    } catch {
      /* already gone */
    }
  }
});

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr || r.error?.message}`);
}

function freePort(address: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, address, () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Reads the SSH banner from host:port (directly, or inside the netns through socat). */
function probe(address: string, port: number, netns?: string): Promise<boolean> {
  return new Promise((resolve) => {
    if (netns) {
      const p = spawn('ip', ['netns', 'exec', netns, 'socat', '-T2', '-', `TCP:${address}:${port}`], {
        stdio: ['pipe', 'pipe', 'ignore'],
      });
      let out = '';
      p.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('SSH-')) {
          p.kill();
          resolve(true);
        }
      });
      p.on('close', () => resolve(out.includes('SSH-')));
      p.on('error', () => resolve(false));
      p.stdin.end();
      return;
    }
    const s = connect({ host: address, port });
    s.setTimeout(2000, () => {
      s.destroy();
      resolve(false);
    });
    s.on('data', (d) => {
      s.destroy();
      resolve(d.toString().startsWith('SSH-'));
    });
    s.on('error', () => resolve(false));
  });
}

/** Every process under `pid` (session processes of this sshd), deepest first. */
function descendantsOf(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(entry));
      children.set(ppid, list);
    } catch {
      /* process ended while we looked */
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const c of children.get(p) ?? []) {
      walk(c);
      out.push(c);
    }
  };
  walk(pid);
  return out;
}

function writeConfig(dir: string, address: string, port: number, o: SshdOptions): string {
  const file = join(dir, 'sshd_config');
  const lines = [
    `ListenAddress ${address}`,
    `Port ${port}`,
    `HostKey ${join(dir, 'host_key')}`,
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
    `PidFile ${join(dir, 'sshd.pid')}`,
    'PermitRootLogin prohibit-password',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'StrictModes no',
    'UsePAM no',
    `MaxSessions ${o.maxSessions ?? 10}`,
    // Tests open many connections at once; the default 10:30:100 would drop some.
    `MaxStartups ${o.maxStartups ?? '200'}`,
    `LogLevel ${o.logLevel ?? 'ERROR'}`,
    'Subsystem sftp internal-sftp',
    // sshd takes only the first SetEnv line, so all variables go on one.
    ...(o.setEnv && Object.keys(o.setEnv).length
      ? [
          `SetEnv ${Object.entries(o.setEnv)
            .map(([k, v]) => `${k}="${v}"`)
            .join(' ')}`,
        ]
      : []),
    ...(o.config ?? []),
  ];
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

async function launch(
  dir: string,
  address: string,
  port: number,
  o: SshdOptions,
  home: { dir: string; at: string },
): Promise<{ child: ChildProcess; log: () => string }> {
  const config = writeConfig(dir, address, port, o);
  // setpriv --pdeathsig: sshd dies with the test process even when that is killed hard (ava's timeout).
  // unshare and sh exec in turn, so the child's PID is sshd's (stop() finds its sessions by it).
  const argv = [
    ...(existsSync(SETPRIV) ? [SETPRIV, '--pdeathsig', 'KILL'] : []),
    UNSHARE,
    '--mount',
    '--propagation',
    'private',
    '/bin/sh',
    '-c',
    'mount --bind "$1" "$2" && shift 2 && exec "$@"',
    'sshd-home',
    home.dir,
    home.at,
    SSHD,
    '-D',
    '-e',
    '-f',
    config,
  ];
  const full = o.netns ? ['ip', 'netns', 'exec', o.netns, ...argv] : argv;
  const child = spawn(full[0]!, full.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
  running.add(child);
  let stderr = '';
  // A chosen log level is read whole (DEBUG writes much); the default keeps the last errors.
  const keep = o.logLevel ? 4_000_000 : 8000;
  child.stderr!.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-keep);
  });
  let exited = false;
  child.once('exit', () => {
    exited = true;
    running.delete(child);
  });
  // Generous: on a busy machine sshd can take seconds to start; it is usually up at the first or second probe.
  const deadline = Date.now() + START_MS;
  while (Date.now() < deadline) {
    if (exited) throw new Error(`sshd exited at start: ${stderr.trim() || 'no output'}`);
    if (await probe(address, port, o.netns)) return { child, log: () => stderr };
    await sleep(100);
  }
  child.kill('SIGKILL');
  throw new Error(`sshd did not accept connections on ${address}:${port} within ${START_MS / 1000}s: ${stderr.trim()}`);
}

export async function startSshd(o: SshdOptions = {}): Promise<Sshd> {
  const address = o.address ?? '127.0.0.1';
  const dir = mkdtempSync(join(tmpdir(), 'stackplay-sshd-'));
  try {
    mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
    const { username: user, homedir } = userInfo();
    // The folder is mounted over the real home: this server's own files must not be under it.
    if (`${dir}/`.startsWith(`${homedir}/`))
      throw new Error(`the test sshd's folder ${dir} is under the home folder ${homedir}: set TMPDIR elsewhere`);
    const homeDir = join(dir, 'home');
    mkdirSync(homeDir, { mode: 0o700 });
    for (const [name, text] of Object.entries(o.home ?? {})) writeFileSync(join(homeDir, name), text);
    const hostKeyFile = join(dir, 'host_key');
    if (o.hostKeyFile) {
      copyFileSync(o.hostKeyFile, hostKeyFile);
      chmodSync(hostKeyFile, 0o600);
      copyFileSync(`${o.hostKeyFile}.pub`, `${hostKeyFile}.pub`);
    } else {
      run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'stackplay-test-host', '-f', hostKeyFile]);
    }
    if (o.userKeyFile) {
      copyFileSync(o.userKeyFile, join(dir, 'user_key'));
      chmodSync(join(dir, 'user_key'), 0o600);
      copyFileSync(`${o.userKeyFile}.pub`, join(dir, 'user_key.pub'));
    } else {
      run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'stackplay-test-user', '-f', join(dir, 'user_key')]);
    }
    writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'user_key.pub')));
    const hostKeyPublic = readFileSync(join(dir, 'host_key.pub'), 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');

    let started: { child: ChildProcess; log: () => string; port: number } | undefined;
    for (let attempt = 0; !started; attempt++) {
      const port = o.port ?? (o.netns ? 22 : await freePort(address));
      try {
        started = { ...(await launch(dir, address, port, o, { dir: homeDir, at: homedir })), port };
      } catch (e) {
        // Another process may take a free port between our check and sshd's bind: try another one.
        if (o.port !== undefined || o.netns || attempt >= 3) throw e;
      }
    }
    const { child, log, port } = started;
    const knownHostsFile = join(dir, 'known_hosts');
    const name = port === 22 ? address : `[${address}]:${port}`;
    writeFileSync(knownHostsFile, `${name} ${hostKeyPublic}\n`);
    const userKeyFile = join(dir, 'user_key');
    let stopped = false;

    return {
      host: address,
      port,
      dir,
      user,
      homeDir,
      userKeyFile,
      knownHostsFile,
      hostKeyPublic,
      hostKeyFile,
      configFile: join(dir, 'sshd_config'),
      pid: child.pid!,
      log,
      inventoryVars: () => {
        const args = [`-o UserKnownHostsFile=${knownHostsFile}`];
        if (o.netns) args.push(`-o ProxyCommand="ip netns exec ${o.netns} socat - TCP:%h:%p"`);
        return {
          ansible_host: address,
          ansible_port: String(port),
          ansible_user: user,
          ansible_ssh_private_key_file: userKeyFile,
          ansible_ssh_common_args: args.join(' '),
        };
      },
      stop: async () => {
        if (stopped) return;
        stopped = true;
        if (child.exitCode === null && child.signalCode === null) {
          const sessions = descendantsOf(child.pid!);
          const gone = new Promise<void>((r) => child.once('exit', () => r()));
          child.kill('SIGTERM');
          for (const pid of sessions) {
            try {
              process.kill(pid, 'SIGTERM');
            } catch {
              /* already gone */
            }
          }
          const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
          await gone;
          clearTimeout(timer);
        }
        running.delete(child);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}
