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
import type { PlanAhead } from './plans-ahead.js';
import { chainedWrite, commandFor, okCodesOf, type AheadStep } from './apply.js';
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
  by: TaskProbes | undefined;
  /** The task attempt that kept it: while steps that ran ahead wait for their tasks, only it may use it. */
  owner: TaskProbes;
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

/** Probes and their answers, aligned (undefined: it did not run). */
interface Answered {
  probes: readonly Probe[];
  results: readonly (ExecResult | undefined)[];
}

/** A later task's plan that went, guarded, with an earlier task's round trip: its guard held. */
export interface PlannedAhead {
  ahead: PlanAhead;
  /** Its steps' results by index, those that ran (none when the chain stopped right after its guard). */
  results: Map<number, ExecResult>;
  /** The answers that hold after its steps: its own probes', and for the last one the probes that followed the chain. */
  after: Answered;
  /** The run's epoch when the chain was sent (see Answer.sent). */
  sent: number;
}

/** What came of a chain of plans ahead: the carrying task's own probes' answers inside it, then the plans whose guards held. */
interface ChainOutcome {
  own: Answered;
  plans: PlannedAhead[];
}

/** One host's cached answers; `epoch` moves at the start and at the end of every effect there. */
class HostAnswers {
  constructor(readonly name: string) {}
  epoch = 0;
  readonly answers = new Map<string, Answer>();
  /** The commands of the tasks after the current one that already ran here, in order, for those tasks to take. */
  sent: SentAhead[] = [];
  /** The plans of the tasks after the current one whose guards held here, in order, for those tasks to take. */
  planned: PlannedAhead[] = [];
  /** The transports the host was reached through (their round trips are the host's). */
  readonly transports = new Set<Transport>();
}

/** Answers larger than this are used where they were asked and not kept (a fetch's bytes, a big file's content). */
const KEEP_MAX = 64 * 1024;

const keyOf = (c: Command): string => `${c.become ? `${c.become.method}:${c.become.user}` : ''}\0${c.text}`;

/** The run's prefetch state: every host's answers, and the epoch any effect anywhere moves (for shared facts). */
export class Prefetch {
  global = 0;
  /** Says what ran ahead on a host but was never reached by its task (the run went elsewhere, or ended first). */
  constructor(readonly warn: (message: string) => void = () => undefined) {}
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
      h = new HostAnswers(name);
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

  /** Warns of every host's steps that ran ahead and were never taken by their tasks (at the end of the run). */
  unreached(): void {
    for (const h of this.#hosts.values()) unreachedOn(this, h);
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
  /** What came of the plans ahead that went with this task's last effect: its own probes' answers inside the chain, then the plans. */
  #planned: ChainOutcome | undefined;
  /** The probes the plans ahead carry inside their chain (this task's own, and each plan's): not asked again after it. */
  #inChain = new Set<string>();

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
    const head = this.host.sent[0];
    if (!head) return undefined;
    if (head.task !== task || cmd === undefined || head.key !== keyOf(cmd)) {
      // The run went elsewhere than the chain foresaw (a rescue after a failure the engine found itself).
      unreachedOn(this.run, this.host);
      return undefined;
    }
    this.host.sent.shift();
    // Once one did not run, none after it did.
    if (!head.result) this.host.sent = [];
    return head.result;
  }

  /**
   * The plans of the tasks after this one, made now from the answers valid now, as steps for this
   * task's last round trip: this task's own probes (its re-plan sees its effect alone), then for each
   * plan its guard, its steps and its own probes again. Undefined when none can go.
   */
  async plansAhead(): Promise<{ steps: AheadStep[]; done(results: (ExecResult | undefined)[]): void } | undefined> {
    const look = await this.#look();
    if (!look.plans) return undefined;
    const plans = await look.plans((cmd) => this.#valid(keyOf(cmd)));
    const own = [...this.#own];
    const steps: AheadStep[] = own.map((p) => ({ item: { cmd: p.cmd, keepsCode: true } }));
    const starts: number[] = [];
    for (const p of plans) {
      const items = stepsOf(p);
      if (!items) break;
      starts.push(steps.length);
      steps.push({ item: { guard: p.asked.map((a) => ({ cmd: a.probe.cmd, expect: a.result })) }, okCodes: [0] });
      steps.push(...items);
      if (p.plan.steps.length > 0) steps.push(...p.asked.map((a) => ({ item: { cmd: a.probe.cmd, keepsCode: true } })));
    }
    if (starts.length === 0) return undefined;
    // A guard that differs leaves its task's probes unanswered: it asks them in its turn (one round trip, rarely).
    this.#inChain = new Set(
      [...own, ...plans.slice(0, starts.length).flatMap((p) => p.asked.map((a) => a.probe))].map((p) => keyOf(p.cmd)),
    );
    const sent = this.run.global;
    const done = (results: (ExecResult | undefined)[]): void => {
      const out: PlannedAhead[] = [];
      for (const [k, start] of starts.entries()) {
        const p = plans[k]!;
        const guard = results[start];
        if (!guard || guard.code !== 0) break;
        const n = p.plan.steps.length;
        const ran = new Map<number, ExecResult>();
        for (let i = 0; i < n; i++) {
          const r = results[start + 1 + i];
          if (r) ran.set(i, r);
        }
        const asked = p.asked.map((a) => a.probe);
        // Nothing of it ran: the answers its guard confirmed still hold.
        const after =
          n === 0 || ran.size === 0
            ? { probes: asked, results: p.asked.map((a) => a.result) }
            : { probes: asked, results: results.slice(start + 1 + n, start + 1 + n + asked.length) };
        out.push({ ahead: p, results: ran, after, sent });
        if (!completed(p, ran)) break;
      }
      this.#planned = { own: { probes: own, results: results.slice(0, own.length) }, plans: out };
    };
    return { steps, done };
  }

  /**
   * This task's plan, when it went ahead with an earlier task's round trip and its guard held: its
   * steps' results (those that ran) and the answers after them, kept as an effect's would be. A plan
   * that changes nothing gives undefined: its answers are kept and the task plans from them as usual.
   */
  takePlan(task: Task): PlannedAhead | undefined {
    const head = this.host.planned[0];
    if (!head) return undefined;
    if (head.ahead.task !== task) {
      unreachedOn(this.run, this.host);
      return undefined;
    }
    this.host.planned.shift();
    // Its gather did not run here: its probes are the ones its guard asked (its re-plan asks them again).
    for (const a of head.ahead.asked)
      if (!this.#own.some((p) => keyOf(p.cmd) === keyOf(a.probe.cmd))) this.#own.push(a.probe);
    if (head.results.size > 0) {
      // Its steps ran in the earlier round trip: an effect, as if applied now (the answers before it are stale).
      this.#moved(true);
      this.run.touched(this.host, changedPaths(head.ahead));
    }
    this.#keep(head.after.probes, head.after.results, {
      epoch: this.host.epoch,
      sent: head.sent,
      global: this.run.global,
      chain: true,
    });
    // None of its steps ran (it changes nothing, or the chain stopped right after its guard): it plans in its turn, from those answers.
    return head.results.size > 0 ? head : undefined;
  }

  /** The tasks after this one whose steps already ran ahead, not yet reached by the engine. */
  ranAhead(): string[] {
    return ranOn(this.host);
  }

  #valid(key: string): ExecResult | undefined {
    const a = this.host.answers.get(key);
    if (!a) return undefined;
    // Steps that ran ahead of their tasks changed the host since: only the task that kept it (the one
    // the answer follows in the chain) may use it meanwhile; another (a task delegated here) asks again.
    if (a.owner !== this && waiting(this.host)) return undefined;
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
  async #wanted(except: Iterable<string>, withCommands = false): Promise<Probe[]> {
    const look = await this.#look();
    const ahead = withCommands && look.chain ? look.chain.probes : look.probes;
    const seen = new Set(except);
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
    at: { epoch: number; sent: number; global: number; chain?: boolean },
  ): void {
    if (this.host.epoch !== at.epoch) return;
    const { chain, ...when } = at;
    probes.forEach((p, i) => {
      const result = results[i];
      // `chain`: answers from an earlier chain, which other hosts' changes may have overtaken since:
      // shared ones are asked again, and the others are checked against other hosts' changes (not `by` this task).
      if (!result || (p.shared && (chain || at.global !== this.run.global))) return;
      if (result.stdout.length + result.stderr.length > KEEP_MAX) return;
      this.host.answers.set(keyOf(p.cmd), {
        result,
        ...when,
        shared: p.shared,
        by: chain ? undefined : this,
        owner: this,
      });
    });
  }

  /** The host view's probe: a valid answer from before, else this probe with the ones wanted next, in one round trip. */
  async probe(cmd: Command, shared: boolean, o: ExecOptions): Promise<ExecResult> {
    const key = keyOf(cmd);
    const probe = { cmd, shared };
    if (!this.#own.some((p) => keyOf(p.cmd) === key)) this.#own.push(probe);
    const hit = this.#valid(key);
    if (hit) return hit;
    const next = await this.#wanted([key]);
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
  #moved(planned = false): void {
    this.host.epoch++;
    this.run.global++;
    // Every answer kept for this host carried the old epoch: none can be used again.
    this.host.answers.clear();
    // What ran ahead stays for its task to take (an effect from elsewhere, a task delegated here,
    // does not undo it), without the answers that followed it; what did not run is forgotten.
    this.host.sent = this.host.sent.filter((x) => x.result !== undefined);
    if (!planned)
      this.host.planned = this.host.planned
        .filter((x) => x.results.size > 0)
        .map((x) => ({ ...x, after: { probes: [], results: [] } }));
  }

  /**
   * An effect naming `paths`: what it may change is stale, here and, for those paths, on other
   * hosts; the probes wanted next follow it in its round trip and see what it did.
   */
  async #effect<T>(
    paths: string[],
    withCommands: boolean,
    carries: boolean,
    call: (followers: { followers?: Followers }) => Promise<T>,
  ): Promise<T> {
    this.#moved();
    this.run.touched(this.host, paths);
    const epoch = this.host.epoch;
    const global = this.run.global;
    // Only the round trip that carries the chain holds its probes.
    const next = await this.#wanted(carries ? this.#inChain : [], withCommands);
    if (carries) this.#inChain = new Set();
    let got: (ExecResult | undefined)[] = [];
    this.#sent = undefined;
    this.#planned = undefined;
    try {
      return await call(this.#followers(next, (r) => (got = r)));
    } finally {
      this.#moved();
      this.run.touched(this.host, paths);
      const planned = this.#planned as ChainOutcome | undefined;
      // Answers are kept only when no other effect here (or anywhere, for shared facts) overlapped this one.
      if (this.host.epoch === epoch + 1) {
        const at = { epoch: epoch + 1, sent: global, global: global + 1 };
        const last = planned?.plans.at(-1);
        if (planned) this.#keep(planned.own.probes, planned.own.results, at);
        // The probes ran after the whole chain: they hold after the last plan that ran, once its task took it.
        if (last && (last.results.size === 0 || completed(last.ahead, last.results)))
          last.after = { probes: [...last.after.probes, ...next], results: [...last.after.results, ...got] };
        else if (!last) this.#keep(next, got, at);
      } else if (planned) for (const p of planned.plans) p.after = { probes: [], results: [] };
      // What ran ahead is for its tasks to take, whatever overlapped (the probes after the commands hold once they have).
      if (this.#sent) this.host.sent = this.#sent;
      if (planned) this.host.planned = planned.plans;
      this.#sent = undefined;
      this.#planned = undefined;
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
    const chained = (o: { followers?: Followers }) =>
      (o.followers?.steps ?? []).flatMap((x) =>
        'cmd' in x ? pathsIn(x.cmd.text) : 'write' in x ? [x.write.path] : [],
      );
    return {
      host: inner.host,
      exec: (cmd: Command, o: ExecOptions = {}) =>
        this.#effect(
          [...pathsIn(cmd.text), ...chained(o)],
          o.followers?.aheadFrom !== undefined,
          o.followers?.aheadFrom !== undefined,
          (f) => inner.exec(cmd, { ...o, ...both(o.followers, f) }),
        ),
      read: (path, o) => inner.read(path, o),
      write: (path: string, content: WriteContent, o: WriteOptions = {}) =>
        this.#effect([path, ...chained(o)], false, o.followers?.aheadFrom !== undefined, (f) =>
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

/** A plan's steps as a chain holds them, after its guard; undefined when one cannot go in a chain. */
function stepsOf(p: PlanAhead): AheadStep[] | undefined {
  const out: AheadStep[] = [];
  for (const step of p.plan.steps) {
    const okCodes = okCodesOf(step);
    const item =
      step.kind === 'write'
        ? chainedWrite(step, p.become)
        : step.kind === 'exec'
          ? { cmd: commandFor(step.cmd, p.env, p.become) }
          : undefined;
    if (!okCodes || !item) return undefined;
    out.push({ item, okCodes });
  }
  return out;
}

/** Whether every step of a plan ran and succeeded (so what ran after it saw it whole). */
function completed(p: PlanAhead, results: ReadonlyMap<number, ExecResult>): boolean {
  return p.plan.steps.every((step, i) => {
    const code = results.get(i)?.code;
    return code !== undefined && code !== null && (okCodesOf(step)?.includes(code) ?? false);
  });
}

/** The paths a plan's steps name (see pathsIn). */
function changedPaths(p: PlanAhead): string[] {
  return p.plan.steps.flatMap((s) => (s.kind === 'write' ? [s.path] : s.kind === 'exec' ? pathsIn(s.cmd.text) : []));
}

/** Whether steps that ran ahead on a host wait for the engine to reach their tasks (asked on every probe: no list built). */
const waiting = (h: HostAnswers): boolean => h.sent.some((x) => x.result) || h.planned.some((x) => x.results.size > 0);

/** The tasks whose steps ran ahead on a host and wait for the engine to reach them. */
function ranOn(h: HostAnswers): string[] {
  return [
    ...h.sent.filter((x) => x.result).map((x) => x.task.name),
    ...h.planned.filter((x) => x.results.size > 0).map((x) => x.ahead.task.name),
  ];
}

/** Warns of what ran ahead on a host and will not be taken by its tasks, and forgets it. */
function unreachedOn(run: Prefetch, h: HostAnswers): void {
  const ran = ranOn(h);
  h.sent = [];
  h.planned = [];
  if (ran.length === 0) return;
  // What was kept from inside the chain came before those steps ran: none of it holds now.
  h.epoch++;
  h.answers.clear();
  run.warn(
    `${h.name}: ran ahead, in an earlier task's round trip, and the run did not reach them after it: ${ran.map((n) => `"${n}"`).join(', ')}`,
  );
}
