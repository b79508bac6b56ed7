// Validate before touch: every variable a task reads must be defined for every host it targets, from what is known at load.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Diagnostic, Span } from '../errors.js';
import type { Inventory, ResolvedHost } from '../inventory/types.js';
import { isTask, type Include, type Play, type Playbook, type Task, type TaskItem } from '../load/playbook-types.js';
import { selectHosts } from '../inventory/pattern.js';
import { taskSelected } from '../engine/tags.js';
import { readInputText } from '../load/input-file.js';
import { branchTaken } from '../template/load-eval.js';
import { conditionNode, usesOf, type Gate, type TemplateKind, type Use } from '../template/references.js';
import { hasTemplate } from '../template/scope.js';
import * as py from '../template/python.js';
import { Undefined } from '../template/values.js';
import { holdsTemplate, loadValueOf, scopeOf, type HostRun, type Known, type RunFacts } from './host-scope.js';
import { placeIn } from './text-places.js';
import { undefinedVarDiagnostics, type Miss } from './undefined-report.js';

export interface CheckVarsInput {
  playbook: Playbook;
  inventory: Inventory;
  hosts: ReadonlyMap<string, ResolvedHost>;
  extraVars: Record<string, unknown>;
  clusterVars: Record<string, unknown>;
  check: boolean;
  limit?: string;
  tags?: string[];
  skipTags?: string[];
}

/** One string to check: its text, how it is read, where it was written and which names the task gives it. */
interface Text {
  text: string;
  kind: TemplateKind;
  near: Span;
  local: ReadonlySet<string>;
  /** Gated by the task's `when` (everything but the `when` itself). */
  gated: boolean;
  /** A template file: uses are placed in that file. */
  file?: string;
  /** Conditions read before this one that must hold for it to be read (assert stops at the first false one). */
  after?: string[];
}

const MAX_DEPTH = 20;

/** Every string inside a value (lists and mappings walked). */
function stringsIn(v: unknown, out: string[] = [], depth = 0): string[] {
  if (depth > 200) return out;
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) for (const x of v) stringsIn(x, out, depth + 1);
  else if (v !== null && typeof v === 'object') for (const x of Object.values(v)) stringsIn(x, out, depth + 1);
  return out;
}

class Checker {
  readonly misses: Miss[] = [];
  private readonly runs = new Map<string, HostRun>();
  private readonly facts: RunFacts;
  /** Inside an include that --tags/--skip-tags leave out: what its tasks set is recorded, nothing is checked. */
  private muted = 0;

  constructor(private readonly o: CheckVarsInput) {
    this.facts = {
      extraVars: o.extraVars,
      clusterVars: o.clusterVars,
      check: o.check,
      playbookDir: o.playbook.dir,
    };
    for (const [name, resolved] of o.hosts)
      this.runs.set(name, { name, resolved, registered: new Set(), facts: false, open: false });
  }

  run(): void {
    const allowed = this.o.limit ? new Set(selectHosts(this.o.inventory, this.o.limit).hosts) : undefined;
    for (const play of this.o.playbook.plays) {
      const hosts = selectHosts(this.o.inventory, play.hosts)
        .hosts.filter((h) => !allowed || allowed.has(h))
        .map((h) => this.runs.get(h))
        .filter((h): h is HostRun => h !== undefined);
      if (hosts.length === 0) continue;
      if (play.gatherFacts) for (const h of hosts) h.facts = true;
      // handlers run at flush points: what they set counts as set for the whole play (no false alarm)
      for (const h of play.handlers) this.record(h, hosts);
      this.items(play, play.tasks, hosts, new Set(), []);
      for (const h of play.handlers) this.task(play, h, hosts, new Set(), []);
    }
  }

  /** `above`: the `when` of the dynamic includes around these items (evaluated once, not pushed into their tasks). */
  private items(
    play: Play,
    items: readonly TaskItem[],
    hosts: HostRun[],
    local: ReadonlySet<string>,
    above: readonly string[],
  ): void {
    for (const item of items) {
      if (isTask(item)) {
        if (this.muted === 0 && taskSelected(item.tags, this.o.tags ?? [], this.o.skipTags ?? []))
          this.task(play, item, hosts, local, above);
        this.record(item, hosts);
      } else if (item.kind === 'block') {
        this.items(play, item.block, hosts, local, above);
        for (const h of hosts) h.registered.add('ansible_failed_task').add('ansible_failed_result');
        this.items(play, item.rescue, hosts, local, above);
        this.items(play, item.always, hosts, local, above);
      } else if (item.kind === 'include') this.include(play, item, hosts, local, above);
    }
  }

  /** What a task sets for the tasks after it: its register, set_fact names, facts of a setup task. */
  private record(task: Task, hosts: HostRun[]): void {
    for (const h of hosts) {
      if (task.register) h.registered.add(task.register);
      if (task.module === 'set_fact') for (const k of Object.keys(task.params)) h.registered.add(k);
      if (task.module === 'setup') h.facts = true;
    }
  }

  private include(
    play: Play,
    inc: Include,
    hosts: HostRun[],
    local: ReadonlySet<string>,
    above: readonly string[],
  ): void {
    const selected = taskSelected(inc.tags, this.o.tags ?? [], this.o.skipTags ?? []);
    if (selected && this.muted === 0) {
      const withItem = inc.loop === undefined ? local : new Set([...local, inc.loopVar]);
      const texts: Text[] = [
        ...inc.when.map((text) => ({ text, kind: 'condition' as const, near: inc.at, local: withItem, gated: false })),
        ...stringsIn(inc.loop).map((text) => ({ text, kind: 'param' as const, near: inc.at, local, gated: true })),
        ...stringsIn([inc.file, inc.vars]).map((text) => ({
          text,
          kind: 'param' as const,
          near: inc.at,
          local: withItem,
          gated: true,
        })),
      ];
      this.check(play, inc, above, inc.when, texts, hosts);
    }
    if (!inc.tasks) {
      for (const h of hosts) h.open = true;
      return;
    }
    const names = new Set([...local, ...Object.keys(inc.vars), ...(inc.loop === undefined ? [] : [inc.loopVar])]);
    // the include's when (seeing its loop item) gates every task it brings; an include --tags leaves out runs none of them
    if (!selected) this.muted++;
    try {
      this.items(play, inc.tasks, hosts, names, [...above, ...inc.when]);
    } finally {
      if (!selected) this.muted--;
    }
  }

  private task(play: Play, task: Task, hosts: HostRun[], local: ReadonlySet<string>, above: readonly string[]): void {
    const loopNames = task.loop === undefined ? [] : [task.loopVar, ...(task.indexVar ? [task.indexVar] : [])];
    const inLoop = new Set([...local, ...loopNames]);
    const inResult = new Set([...inLoop, 'result', ...(task.register ? [task.register] : [])]);
    const near = task.at;
    const param = (text: string, names: ReadonlySet<string> = inLoop): Text => ({
      text,
      kind: 'param',
      near,
      local: names,
      gated: true,
    });
    const cond = (list: string[] | undefined, names: ReadonlySet<string>, gated: boolean): Text[] =>
      (list ?? []).map((text) => ({ text, kind: 'condition', near, local: names, gated }));
    const texts: Text[] = [
      ...cond(task.when, inLoop, false),
      ...stringsIn(task.loop).map((t) => param(t, local)),
      ...stringsIn([paramsOf(task), task.environment, task.delegateTo]).map((t) => param(t)),
      ...assertions(task).map((text, i, all): Text => ({ ...cond([text], inLoop, true)[0]!, after: all.slice(0, i) })),
      ...cond(task.changedWhen, inResult, true),
      ...cond(task.failedWhen, inResult, true),
      ...cond(task.until, inResult, true),
      ...this.templateFile(task, inLoop),
    ];
    this.check(play, task, above, task.when, texts, hosts);
  }

  /** The `template` module's Jinja2 file, when its name is written plainly and the file is there. */
  private templateFile(task: Task, local: ReadonlySet<string>): Text[] {
    const src = task.params.src;
    if (task.module !== 'template' || typeof src !== 'string' || hasTemplate(src) || src.endsWith('.hbs')) return [];
    const dirs = task.roleDir ? ['templates', 'files', '.'].map((d) => resolve(task.roleDir!, d)) : [];
    const path = dirs.map((d) => resolve(d, src)).find((p) => existsSync(p)) ?? resolve(this.o.playbook.dir, src);
    let text: string;
    try {
      text = readInputText(path);
    } catch {
      return []; // the module reports a missing template when it runs
    }
    return [{ text, kind: 'file', near: { file: path, line: 1, col: 1 }, local, gated: true, file: path }];
  }

  private check(
    play: Play,
    task: Pick<Task, 'vars' | 'at'>,
    above: readonly string[],
    when: readonly string[],
    texts: Text[],
    hosts: HostRun[],
  ): void {
    const gateOf = (w: string): Gate[] => {
      const node = conditionNode(w);
      return node ? [{ node, want: 'condition', bound: new Set() }] : [];
    };
    const aboveGates = above.flatMap(gateOf);
    const whenGates = when.flatMap(gateOf);
    const parsed = texts.flatMap((t) => {
      const uses = usesOf(t.text, t.kind);
      return uses?.length ? [{ t, uses }] : [];
    });
    if (parsed.length === 0) return;
    for (const host of hosts) {
      if (host.open) continue;
      // one scope per distinct set of the task's own names (a task has at most three), gates evaluated once each
      const scopes = new Map<ReadonlySet<string>, HostTaskScope>();
      for (const { t, uses } of parsed) {
        let ctx = scopes.get(t.local);
        if (!ctx) {
          const scope = scopeOf(this.facts, play, task, host, t.local);
          ctx = { scope, lookup: loadValueOf(scope), local: t.local, open: new Map() };
          scopes.set(t.local, ctx);
        }
        // the task's `when` sees the loop item, which is not known at load: such a gate stays closed
        if (!allOpen(aboveGates, ctx)) continue;
        if (t.gated && !allOpen(whenGates, ctx)) continue;
        if (t.after && !allOpen(t.after.flatMap(gateOf), ctx)) continue;
        const names = () => [
          ...Object.keys(host.resolved.vars),
          ...Object.keys(play.vars),
          ...Object.keys(task.vars),
          ...Object.keys(play.defaults ?? {}),
          ...Object.keys(this.o.extraVars),
          ...Object.keys(this.o.clusterVars),
          ...host.registered,
          ...t.local,
        ];
        for (const use of uses) if (allOpen(use.gates, ctx)) this.use(use, ctx.scope, host, t, [], 0, names);
      }
    }
  }

  /** Checks one use for one host; a var whose value is a template has its own uses checked (it renders when used). */
  private use(
    use: Use,
    scope: (name: string) => Known | undefined,
    host: HostRun,
    t: Text,
    via: string[],
    depth: number,
    names: () => Iterable<string>,
  ): void {
    const at = (): Span =>
      t.file ? { file: t.file, line: use.line + 1, col: use.col + 1 } : placeIn(t.text, t.near, use);
    const known = scope(use.name);
    if (!known) {
      this.misses.push({ variable: use.name, host: host.name, at: at(), via, facts: host.facts, candidates: names });
      return;
    }
    if (known.kind === 'runtime') return;
    const missing = missingPath(use.name, known.value, use.path);
    if (missing) {
      const candidates = () => missing.keys;
      this.misses.push({ variable: missing.shown, host: host.name, at: at(), via, facts: host.facts, candidates });
      return;
    }
    if (depth >= MAX_DEPTH || via.includes(use.name) || !holdsTemplate(known.value)) return;
    const lookup = loadValueOf(scope);
    for (const text of stringsIn(known.value)) {
      for (const inner of usesOf(text, 'param') ?? []) {
        if (!inner.gates.every((g) => branchTaken(g.node, g.want, lookup, g.bound) === true)) continue;
        // the inner use is reported where the outer one was written
        this.use({ ...inner, line: use.line, col: use.col }, scope, host, t, [...via, use.name], depth + 1, names);
      }
    }
  }
}

/** One host's view for one task and one set of the task's own names, with the gates already decided. */
interface HostTaskScope {
  scope: (name: string) => Known | undefined;
  lookup: ReturnType<typeof loadValueOf>;
  local: ReadonlySet<string>;
  open: Map<Gate, boolean>;
}

/** Whether every gate is known to let the use be read (decided once per gate and scope). */
function allOpen(gates: readonly Gate[], ctx: HostTaskScope): boolean {
  for (const g of gates) {
    let open = ctx.open.get(g);
    if (open === undefined) {
      const bound = g.bound.size === 0 ? ctx.local : { has: (n: string) => g.bound.has(n) || ctx.local.has(n) };
      open = branchTaken(g.node, g.want, ctx.lookup, bound) === true;
      ctx.open.set(g, open);
    }
    if (!open) return false;
  }
  return true;
}

/** assert's `that` are conditions (bare expressions), not templates. */
const assertions = (task: Task): string[] => {
  const that = task.module === 'assert' ? task.params.that : undefined;
  return (Array.isArray(that) ? that : [that]).filter((c): c is string => typeof c === 'string');
};

const paramsOf = (task: Task): Record<string, unknown> => {
  if (task.module !== 'assert') return task.params;
  const { that: _that, ...rest } = task.params;
  return rest;
};

/** `groups.controller` when groups is known and has no such key (as the engine's lookup finds it): the missing path, else undefined. */
function missingPath(
  name: string,
  value: unknown,
  path: readonly (string | number)[],
): { shown: string; keys: string[] } | undefined {
  let v = value;
  let shown = name;
  for (const key of path) {
    if (v === null || typeof v !== 'object' || holdsTemplate(v)) return undefined;
    const got = py.lookup(shown, v, key);
    shown += typeof key === 'number' ? `[${key}]` : `.${key}`;
    if (got instanceof Undefined) return { shown, keys: Array.isArray(v) ? [] : Object.keys(v) };
    if (typeof got === 'function') return undefined;
    v = got;
  }
  return undefined;
}

/** Diagnostics (E_UNDEFINED_VAR) for every variable some targeted host lacks; empty when all are defined. */
export function checkUndefinedVars(o: CheckVarsInput): Diagnostic[] {
  const c = new Checker(o);
  c.run();
  return undefinedVarDiagnostics(c.misses, o.hosts);
}
