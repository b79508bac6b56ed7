// Probe prefetching: the read-only probes of the tasks ahead ride along with the round trip a host makes now, cached until an effect may change them.
//
// The rules (README, Architecture): a probe's answer is kept per host, by its command text and
// privilege, and used by a later task only while nothing changed on that host since it ran: every
// command and write the engine applies there (and a reconnect) makes all of that host's answers
// stale, and a fact marked `shared` (cluster state, such as kato's) goes stale with an effect on
// any host. An effect carries the probes wanted next (the task's own, for its re-plan, then those
// of the tasks ahead) in its own round trip, after itself, so they see what it did.
import type { Command } from '../command.js';
import type { ExecOptions, ExecResult, Followers, Transport, WriteContent, WriteOptions } from '../transport/types.js';

/** A probe as sent: the command with its privilege, and whether its answer depends on other hosts. */
export interface Probe {
  cmd: Command;
  shared: boolean;
}

interface Answer {
  result: ExecResult;
  epoch: number;
  global: number;
  shared: boolean;
}

/** One host's cached answers; `epoch` moves at the start and at the end of every effect there. */
class HostAnswers {
  epoch = 0;
  readonly answers = new Map<string, Answer>();
  /** The transports the host was reached through (their round trips are the host's). */
  readonly transports = new Set<Transport>();
}

const keyOf = (c: Command): string => `${c.become ? `${c.become.method}:${c.become.user}` : ''}\0${c.text}`;

/** The run's prefetch state: every host's answers, and the epoch any effect anywhere moves (for shared facts). */
export class Prefetch {
  global = 0;
  readonly #hosts = new Map<string, HostAnswers>();

  host(name: string): HostAnswers {
    let h = this.#hosts.get(name);
    if (!h) {
      h = new HostAnswers();
      this.#hosts.set(name, h);
    }
    return h;
  }

  /** One task's probes on the host `transport` reaches; `ahead` lists the probes of the tasks after it. */
  forTask(raw: Transport, transport: Transport, ahead: () => Promise<Probe[]>): TaskProbes {
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
  #ahead: Promise<Probe[]> | undefined;

  constructor(
    readonly run: Prefetch,
    readonly host: HostAnswers,
    private transport: Transport,
    readonly ahead: () => Promise<Probe[]>,
  ) {}

  #valid(key: string): ExecResult | undefined {
    const a = this.host.answers.get(key);
    if (!a) return undefined;
    if (a.epoch === this.host.epoch && (!a.shared || a.global === this.run.global)) return a.result;
    this.host.answers.delete(key);
    return undefined;
  }

  /** The probes wanted after now that have no valid answer: this task's own, then those ahead. */
  async #wanted(except: string | undefined): Promise<Probe[]> {
    this.#ahead ??= this.ahead().catch(() => []);
    const ahead = await this.#ahead;
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

  /** Keeps answers that ran while the host's epoch was `epoch` (and, for shared ones, while nothing changed anywhere). */
  #keep(probes: readonly Probe[], results: readonly (ExecResult | undefined)[], epoch: number, global: number): void {
    if (this.host.epoch !== epoch) return;
    probes.forEach((p, i) => {
      const result = results[i];
      if (!result || (p.shared && global !== this.run.global)) return;
      this.host.answers.set(keyOf(p.cmd), { result, epoch, global, shared: p.shared });
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
    this.#keep([probe, ...next], [result, ...got], epoch, global);
    return result;
  }

  #followers(next: Probe[], done: Followers['done']): { followers?: Followers } {
    return next.length > 0 ? { followers: { cmds: next.map((p) => p.cmd), done } } : {};
  }

  /** Every answer of this host so far is stale (and shared ones everywhere): an effect starts or ended. */
  #moved(): void {
    this.host.epoch++;
    this.run.global++;
  }

  /** An effect: what it may change is stale; the probes wanted next follow it in its round trip and see what it did. */
  async #effect<T>(call: (followers: { followers?: Followers }) => Promise<T>): Promise<T> {
    this.#moved();
    const epoch = this.host.epoch;
    const global = this.run.global;
    const next = await this.#wanted(undefined);
    let got: (ExecResult | undefined)[] = [];
    try {
      return await call(this.#followers(next, (r) => (got = r)));
    } finally {
      this.#moved();
      // Kept only when no other effect (here, or anywhere for shared facts) overlapped this one.
      if (this.host.epoch === epoch + 1) this.#keep(next, got, this.host.epoch, global + 1);
    }
  }

  /** The transport apply changes the host through: each command and write is an effect. */
  effects(): Transport {
    const inner = this.transport;
    return {
      host: inner.host,
      exec: (cmd: Command, o: ExecOptions = {}) => this.#effect((f) => inner.exec(cmd, { ...o, ...f })),
      read: (path, o) => inner.read(path, o),
      write: (path: string, content: WriteContent, o: WriteOptions = {}) =>
        this.#effect((f) => inner.write(path, content, { ...o, ...f })),
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
