// The role processes that run for real on a lab node: the config store (redis), the message bus, the
// router's HTTP listener and the load balancer's nginx. Each is recorded in a PID file with its start time.
// nginx's master runs as root, as nginx does everywhere (it reads the root-only key an administrator
// installs), so kato starts, reloads and stops it through sudo; the others run as kato's user.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { endProcesses, isAlive, recordOf, type ProcRecord, type Signaller } from '../proc.js';
import { KatoError } from './errors.js';
import type { Ctx } from './ctx.js';
import type { Flavor } from './flavor.js';
import { PATHS, readJson, writeJson, type Identity } from './node.js';
import { asRoot, SudoCommandError } from './sudo.js';

interface Launch {
  cmd: string;
  args: string[];
  port: number;
  /** What the process writes: kato's capture of its output, or the error log a root daemon writes itself. */
  log: string;
  /** Started through sudo; it daemonizes and writes this PID file itself. */
  rootPidFile?: string;
}

/** Fault injection (lab option failingProcesses): this process goes FATAL whenever it is started. */
export const failing = (id: Identity, proc: string): boolean => id.failingProcesses?.includes(proc) ?? false;

/** How to start a real process, or null for processes that are only bookkeeping in the lab. */
export function launchOf(proc: string, f: Flavor, id: Identity): Launch | null {
  const self = (...args: string[]): Launch => ({
    cmd: process.execPath,
    args: ['--max-old-space-size=32', process.argv[1]!, '__serve', ...args],
    port: Number(args[2]),
    log: outputLog(proc),
  });
  if (proc === f.storeProcess) {
    return {
      cmd: 'redis-server',
      port: f.storePort,
      args: [
        '--port',
        String(f.storePort),
        '--bind',
        '0.0.0.0',
        '--protected-mode',
        'no',
        '--daemonize',
        'no',
        '--dir',
        PATHS.storeData,
        '--appendonly',
        'yes',
        '--save',
        '',
        '--logfile',
        '',
      ],
      log: outputLog(proc),
    };
  }
  if (proc === f.mbusProcess) return self('mbus', '--port', String(f.mbusPort), '--name', id.name);
  if (proc === 'router2g') return self('router', '--port', '80', '--name', id.name);
  if (proc === 'nginx')
    return {
      cmd: 'nginx',
      args: ['-e', NGINX_ERROR_LOG, '-c', PATHS.nginxConf],
      port: 443,
      log: NGINX_ERROR_LOG,
      rootPidFile: NGINX_PID,
    };
  return null;
}

/** nginx's pid file and early error log live in kato's folders (kato reads them), not /run or /var/log. */
export const NGINX_PID = `${PATHS.run}/nginx-lb.pid`;
export const NGINX_ERROR_LOG = `${PATHS.logs}/nginx-lb-error.log`;

const pidFile = (proc: string): string => join(PATHS.run, `${proc}.pid`);
const outputLog = (proc: string): string => join(PATHS.logs, `${proc}.log`);

export function processRecord(proc: string): ProcRecord | null {
  const r = readJson<ProcRecord>(pidFile(proc));
  return r && isAlive(r) ? r : null;
}

export const isRunning = (proc: string): boolean => processRecord(proc) !== null;

export function portOpen(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

async function waitPort(port: number, rec: ProcRecord, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (!isAlive(rec)) return false;
    if (await portOpen('127.0.0.1', port, 300)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

function spawnLogged(proc: string, l: Launch): ProcRecord {
  const fd = openSync(l.log, 'a');
  try {
    const child = spawn(l.cmd, l.args, { detached: true, stdio: ['ignore', fd, fd] });
    child.on('error', () => {
      /* seen by the caller as a process that never answers */
    });
    child.unref();
    if (child.pid === undefined) throw new KatoError(`cannot run ${l.cmd} for ${proc}`);
    return recordOf(child.pid, proc);
  } finally {
    closeSync(fd);
  }
}

const sizeOf = (file: string): number => (existsSync(file) ? statSync(file).size : 0);

/** The last lines of `text`, for a failure message. */
const lastLines = (text: string): string => text.trim().split('\n').slice(-3).join('\n');

/**
 * A process that did not come up, with the last lines it wrote to its own log since `from` (the log's size
 * when this start began); when it wrote none there, what sudo relayed of it.
 */
function notStarted(proc: string, l: Launch, from: number, why: string, relayed = ''): KatoError {
  const log = existsSync(l.log) ? readFileSync(l.log) : Buffer.alloc(0);
  const tail = lastLines(log.subarray(log.length >= from ? from : 0).toString('utf8')) || lastLines(relayed);
  return new KatoError(`${proc} did not start (${why})${tail ? `:\n${tail}` : ''}`, `see ${l.log}`);
}

/** Runs a root process's daemon through sudo and records the PID it wrote. */
async function startAsRoot(ctx: Ctx, proc: string, l: Launch, pidFile: string, from: number): Promise<ProcRecord> {
  rmSync(pidFile, { force: true });
  try {
    await asRoot(ctx, `start ${proc}`, [l.cmd, ...l.args]);
  } catch (e) {
    if (e instanceof SudoCommandError)
      throw notStarted(proc, l, from, `sudo ${l.cmd} exited ${e.status ?? 'on a signal'}`, e.stderr);
    throw e;
  }
  const pid = existsSync(pidFile) ? readFileSync(pidFile, 'utf8').trim() : '';
  if (!/^[1-9]\d*$/.test(pid)) throw notStarted(proc, l, from, `no PID in ${pidFile}`);
  return recordOf(Number(pid), proc);
}

export async function startProcess(ctx: Ctx, proc: string): Promise<void> {
  const { flavor: f, id } = ctx;
  const l = launchOf(proc, f, id);
  // A failing process (fault injection) exits at once each time supervisord starts it: nothing stays up.
  if (!l || isRunning(proc) || failing(id, proc)) return;
  mkdirSync(PATHS.run, { recursive: true });
  mkdirSync(PATHS.logs, { recursive: true });
  if (proc === f.storeProcess) mkdirSync(PATHS.storeData, { recursive: true });
  const from = sizeOf(l.log);
  const rec = l.rootPidFile ? await startAsRoot(ctx, proc, l, l.rootPidFile, from) : spawnLogged(proc, l);
  writeJson(pidFile(proc), rec);
  if (!(await waitPort(l.port, rec, 8000))) {
    await stopProcess(ctx, proc);
    throw notStarted(proc, l, from, `nothing answered on port ${l.port}`);
  }
}

/** Signals kato's own processes directly and root's (nginx's master: EPERM) through sudo. */
const signalOf =
  (ctx: Ctx): Signaller =>
  async (r, sig) => {
    try {
      process.kill(r.pid, sig);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EPERM')
        await asRoot(ctx, `signal ${r.what}`, ['kill', `-${sig.replace(/^SIG/, '')}`, String(r.pid)]);
    }
  };

export async function stopProcess(ctx: Ctx, proc: string): Promise<void> {
  const r = readJson<ProcRecord>(pidFile(proc));
  if (r) await endProcesses([r], 5000, signalOf(ctx));
  rmSync(pidFile(proc), { force: true });
}

/** nginx re-reads its configuration on SIGHUP. */
export async function reloadProcess(ctx: Ctx, proc: string): Promise<boolean> {
  const r = processRecord(proc);
  if (!r) return false;
  await signalOf(ctx)(r, 'SIGHUP');
  return true;
}
