// Probe prefetching: the read-only probes of the tasks ahead ride along with the round trip a host makes now, cached until an effect may change them.
//
// The rules (README, Architecture): a probe's answer is kept per host, by its command text and
// privilege, and used by a later task only while nothing changed on that host since it ran: every
// command and write the engine applies there (and a reconnect) makes all of that host's answers
// stale, and a fact marked `shared` (cluster state, such as kato's) goes stale with an effect on
// any host. An effect carries the probes wanted next (the task's own, for its re-plan, then those
// of the tasks ahead) in its own round trip, after itself, so they see what it did.
import type { Command } from '../command.js';
import type { Task } from '../load/playbook-types.js';
import type { Ahead, AheadCommand } from './lookahead.js';
import type { ExecOptions, ExecResult, Followers, Transport, WriteContent, WriteOptions } from '../transport/types.js';

/** A probe as sent: the command with its privilege, and whether its answer depends on other hosts. */
export interface Probe {
  cmd: Command;
  shared: boolean;
}

interface Answer {
  result: ExecResult;
  /** The host's epoch it holds for. */
  epoch: number;
  /** The run's epoch when it was asked: another host's change to a path it names after that makes it stale. */
  sent: number;
  /** The run's epoch it holds for, when shared. */
  global: number;
  shared: boolean;
  /** The task attempt that asked it: within it, other hosts run alongside as they always did. */
  by: TaskProbes;
}

/** Paths another host's change named, with the run's epoch then (see pathsIn). */
interface Touch {
  global: number;
  host: HostAnswers;
  paths: string[];
}

/** The touches remembered; an answer asked before the oldest of them is taken as stale. */
const TOUCHES_MAX = 10_000;

/**
 * The absolute paths a change names (a write's path; the words of a command that start with `/`):
 * a probe on another host whose text holds one of them may look at the same file on shared
 * storage. /dev and /proc are never shared; anything else is, to be safe.
 */
export function pathsIn(text: string): string[] {
  return [...new Set(text.match(/\/[^\s'"`;&|<>()$\\]*/g) ?? [])].filter(
    (p) => !p.startsWith('/dev/') && !p.startsWith('/proc/'),
  );
}

/** A command of a later task that ran ahead, in an earlier task's round trip; no result when it did not run. */
interface SentAhead {
  task: Task;
  key: string;
  result: ExecResult | undefined;
}

/** One host's cached answers; `epoch` moves at the start and at the end of every effect there. */
class HostAnswers {
  epoch = 0;
  readonly answers = new Map<string, Answer>();
  /** The commands of the tasks after the current one that already ran here, in order, for those tasks to take. */
  sent: SentAhead[] = [];
  /** The transports the host was reached through (their round trips are the host's). */
  readonly transports = new Set<Transport>();
}

/** Answers larger than this are used where they were asked and not kept (a fetch's bytes, a big file's content). */
const KEEP_MAX = 64 * 1024;

const keyOf = (c: Command): string => `${c.become ? `${c.become.method}:${c.become.user}` : ''}\0${c.text}`;

/** The run's prefetch state: every host's answers, and the epoch any effect anywhere moves (for shared facts). */
export class Prefetch {
  global = 0;
  readonly #hosts = new Map<string, HostAnswers>();
  readonly #touches: Touch[] = [];
  #forgotten = -1;

  /** A change on `host` that names `paths` (at its start and at its end). */
  touched(host: HostAnswers, paths: string[]): void {
    if (paths.length === 0) return;
    this.#touches.push({ global: this.global, host, paths });
    if (this.#touches.length > TOUCHES_MAX) this.#forgotten = this.#touches.shift()!.global;
  }

  /** Whether a host other than `host` changed a path that `text` names since the run's epoch `since`. */
  changedElsewhere(host: HostAnswers, text: string, since: number): boolean {
    if (since <= this.#forgotten) return true;
    for (let i = this.#touches.length - 1; i >= 0; i--) {
      const t = this.#touches[i]!;
      if (t.global <= since) return false;
      if (t.host !== host && t.paths.some((p) => text.includes(p))) return true;
    }
    return false;
  }

  host(name: string): HostAnswers {
    let h = this.#hosts.get(name);
    if (!h) {
      h = new HostAnswers();
      this.#hosts.set(name, h);
    }
    return h;
  }

  /** One task's probes on the host `transport` reaches; `ahead` lists the probes of the tasks after it. */
  forTask(raw: Transport, transport: Transport, ahead: () => Promise<Ahead>): TaskProbes {
    const h = this.host(raw.host);
    h.transports.add(raw);
    return new TaskProbes(this, h, transport, ahead);
  }

  /** Round trips per host beyond connecting, over every connection the engine used (reconnects included). */
  roundTrips(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [name, h] of this.#hosts) {
      const counts = [...h.transports].map((t) => t.roundTrips?.());
      if (counts.some((c) => c !== undefined)) out[name] = counts.reduce<number>((a, c) => a + (c ?? 0), 0);
    }
    return out;
  }
}

/** One attempt of a task on one host: its probes through the cache, its effects followed by the probes wanted next. */
export class TaskProbes {
  /** The probes this task asked for, in order: its re-plan asks them again after apply. */
  readonly #own: Probe[] = [];
  #ahead: Promise<Ahead> | undefined;
  /** The commands ahead that went with this task's last effect, and their results, for the tasks after it. */
  #sent: SentAhead[] | undefined;

  constructor(
    readonly run: Prefetch,
    readonly host: HostAnswers,
    private transport: Transport,
    readonly ahead: () => Promise<Ahead>,
  ) {}

  #look(): Promise<Ahead> {
    this.#ahead ??= this.ahead().catch(() => ({ probes: [] }));
    return this.#ahead;
  }

  /** The commands of the tasks after this one that may go with its command (none unless the host runs alone). */
  async commandsAhead(): Promise<readonly AheadCommand[]> {
    return (await this.#look()).chain?.commands ?? [];
  }

  /** The results of the commands ahead that went with this task's command (undefined: it did not run). */
  sentAhead(commands: readonly AheadCommand[], results: (ExecResult | undefined)[]): void {
    this.#sent = commands.map((c, i) => ({ task: c.task, key: keyOf(c.cmd), result: results[i] }));
  }

  /**
   * What this task's command gave when it ran ahead, in an earlier task's round trip; undefined when
   * it did not (it runs now). The engine reaches the tasks in the order they were sent; anything else
   * is a bug: a command ran that the engine did not mean to run.
   */
  takeSent(task: Task, cmd: Command | undefined): ExecResult | undefined {
    const head = this.host.sent.shift();
    if (!head) return undefined;
    if (head.task !== task || cmd === undefined || head.key !== keyOf(cmd)) {
      this.host.sent = [];
      if (head.result)
        throw new Error(`internal error: a command sent ahead is not the one this task runs (${task.name})`);
      return undefined;
    }
    // Once one did not run, none after it did.
    if (!head.result) this.host.sent = [];
    return head.result;
  }

  #valid(key: string): ExecResult | undefined {
    const a = this.host.answers.get(key);
    if (!a) return undefined;
    const fresh = a.epoch === this.host.epoch && (!a.shared || a.global === this.run.global);
    // For a later task, another host's change since to a path it names (shared storage) makes it stale.
    if (fresh && (a.by === this || !this.run.changedElsewhere(this.host, key, a.sent))) return a.result;
    this.host.answers.delete(key);
    return undefined;
  }

  /**
   * The probes wanted after now that have no valid answer: this task's own, then those ahead (those
   * after the commands sent ahead when they go too: the probes run after them).
   */
  async #wanted(except: string | undefined, withCommands = false): Promise<Probe[]> {
    const look = await this.#look();
    const ahead = withCommands ? (look.chain?.probes ?? []) : look.probes;
    const seen = new Set(except === undefined ? [] : [except]);
    const out: Probe[] = [];
    for (const p of [...this.#own, ...ahead]) {
      const key = keyOf(p.cmd);
      if (seen.has(key) || this.#valid(key)) continue;
      seen.add(key);
      out.push(p);
    }
    return out;
  }

  /**
   * Keeps answers asked at the run's epoch `sent` that hold for the host's `epoch` (and, when
   * shared, for the run's `global`); #valid decides when they are used.
   */
  #keep(
    probes: readonly Probe[],
    results: readonly (ExecResult | undefined)[],
    at: { epoch: number; sent: number; global: number },
  ): void {
    if (this.host.epoch !== at.epoch) return;
    probes.forEach((p, i) => {
      const result = results[i];
      if (!result || (p.shared && at.global !== this.run.global)) return;
      if (result.stdout.length + result.stderr.length > KEEP_MAX) return;
      this.host.answers.set(keyOf(p.cmd), { result, ...at, shared: p.shared, by: this });
    });
  }

  /** The host view's probe: a valid answer from before, else this probe with the ones wanted next, in one round trip. */
  async probe(cmd: Command, shared: boolean, o: ExecOptions): Promise<ExecResult> {
    const key = keyOf(cmd);
    const probe = { cmd, shared };
    if (!this.#own.some((p) => keyOf(p.cmd) === key)) this.#own.push(probe);
    const hit = this.#valid(key);
    if (hit) return hit;
    const next = await this.#wanted(key);
    const epoch = this.host.epoch;
    const global = this.run.global;
    let got: (ExecResult | undefined)[] = [];
    const result = await this.transport.exec(cmd, { ...o, ...this.#followers(next, (r) => (got = r)) });
    this.#keep([probe, ...next], [result, ...got], { epoch, sent: global, global });
    return result;
  }

  #followers(next: Probe[], done: Followers['done']): { followers?: Followers } {
    return next.length > 0 ? { followers: { cmds: next.map((p) => p.cmd), done } } : {};
  }

  /** Every answer of this host so far is stale (and shared ones everywhere): an effect starts or ended. */
  #moved(): void {
    this.host.epoch++;
    this.run.global++;
    // Every answer kept for this host carried the old epoch: none can be used again.
    this.host.answers.clear();
    // An effect the tasks ahead did not expect: what they sent ahead is not theirs to take.
    this.host.sent = [];
  }

  /**
   * An effect naming `paths`: what it may change is stale, here and, for those paths, on other
   * hosts; the probes wanted next follow it in its round trip and see what it did.
   */
  async #effect<T>(
    paths: string[],
    withCommands: boolean,
    call: (followers: { followers?: Followers }) => Promise<T>,
  ): Promise<T> {
    this.#moved();
    this.run.touched(this.host, paths);
    const epoch = this.host.epoch;
    const global = this.run.global;
    const next = await this.#wanted(undefined, withCommands);
    let got: (ExecResult | undefined)[] = [];
    this.#sent = undefined;
    try {
      return await call(this.#followers(next, (r) => (got = r)));
    } finally {
      this.#moved();
      this.run.touched(this.host, paths);
      // Kept only when no other effect here (or anywhere, for shared facts) overlapped this one.
      if (this.host.epoch === epoch + 1) {
        this.#keep(next, got, { epoch: epoch + 1, sent: global, global: global + 1 });
        // The probes ran after the commands sent ahead: they hold once those tasks have taken their results.
        if (this.#sent) this.host.sent = this.#sent;
      }
      this.#sent = undefined;
    }
  }

  /** The transport apply changes the host through: each command and write (and the steps chained to it) is an effect. */
  effects(): Transport {
    const inner = this.transport;
    // Apply's chained steps run first, then the probes wanted next.
    const both = (mine: Followers | undefined, f: { followers?: Followers }): { followers?: Followers } => {
      if (!mine) return f;
      return { followers: { ...mine, cmds: f.followers?.cmds ?? [], done: f.followers?.done ?? (() => undefined) } };
    };
    const chained = (o: { followers?: Followers }) => (o.followers?.steps ?? []).flatMap((x) => pathsIn(x.cmd.text));
    return {
      host: inner.host,
      exec: (cmd: Command, o: ExecOptions = {}) =>
        this.#effect([...pathsIn(cmd.text), ...chained(o)], o.followers?.aheadFrom !== undefined, (f) =>
          inner.exec(cmd, { ...o, ...both(o.followers, f) }),
        ),
      read: (path, o) => inner.read(path, o),
      write: (path: string, content: WriteContent, o: WriteOptions = {}) =>
        this.#effect([path, ...chained(o)], false, (f) =>
          inner.write(path, content, { ...o, ...both(o.followers, f) }),
        ),
      close: () => inner.close(),
      ...(inner.lostReason ? { lostReason: () => inner.lostReason!() } : {}),
    };
  }

  /** A reconnect: nothing known of the host holds; the task goes on through the new transport. */
  reconnected(raw: Transport): Transport {
    this.#moved();
    this.#moved();
    this.host.transports.add(raw);
    this.transport = raw;
    return this.effects();
  }
}
