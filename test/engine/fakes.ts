// Engine test doubles: in-memory hosts behind a Connector, tiny modules, and play/task builders.
import { readFileSync } from 'node:fs';
import { UnreachableError, CheckModeViolation } from '../../src/errors.js';
import type { Transport, ExecResult } from '../../src/transport/types.js';
import type { Connector } from '../../src/engine/types.js';
import type { ResolvedHost } from '../../src/inventory/types.js';
import type { Play, Playbook, Task } from '../../src/load/playbook-types.js';
import type { EngineOptions } from '../../src/engine/types.js';
import type { Inventory } from '../../src/inventory/types.js';
import { runPlays } from '../../src/engine/run-plays.js';
import { builtTask } from '../../src/load/built-task.js';
import type { RunEvent } from '../../src/report/events.js';
import { defineModule, readOnly, sh, sumOf, write, z, type Module } from '../../src/sdk.js';

export interface FakeHost {
  files: Map<string, string>;
  execs: string[];
  writes: string[];
  unreachable: boolean;
  /** Answers for exec by command text; default exit 0, empty output. */
  answer?: (text: string) => Partial<ExecResult> | undefined;
}

export class FakeConnector implements Connector {
  readonly hosts = new Map<string, FakeHost>();
  inFlight = 0;
  maxInFlight = 0;
  connects = 0;
  closed = false;
  /** Fail the test run on any write or mutating exec (check-mode proof). */
  constructor(private readonly forbidChanges = false) {}

  host(name: string): FakeHost {
    let h = this.hosts.get(name);
    if (!h) {
      h = { files: new Map(), execs: [], writes: [], unreachable: false };
      this.hosts.set(name, h);
    }
    return h;
  }

  async get(resolved: ResolvedHost): Promise<Transport> {
    const h = this.host(resolved.name);
    this.connects++;
    if (h.unreachable) throw new UnreachableError(resolved.name, `connection refused at ${resolved.name}:22`);
    const self = this;
    return {
      host: resolved.name,
      async exec(cmd) {
        if (h.unreachable) throw new UnreachableError(resolved.name, 'connection lost');
        if (self.forbidChanges && !cmd.readOnly) throw new CheckModeViolation(resolved.name, cmd.display);
        self.inFlight++;
        self.maxInFlight = Math.max(self.maxInFlight, self.inFlight);
        await new Promise((r) => setTimeout(r, 2));
        self.inFlight--;
        h.execs.push(cmd.text);
        return { code: 0, signal: null, stdout: '', stderr: '', ms: 1, ...h.answer?.(cmd.text) };
      },
      async read(path) {
        return h.files.get(path) ?? null;
      },
      async write(path, content) {
        if (self.forbidChanges) throw new CheckModeViolation(resolved.name, `write ${path}`);
        h.writes.push(path);
        h.files.set(path, typeof content === 'string' ? content : readFileSync(content.file, 'utf8'));
      },
      async close() {},
    };
  }

  async reconnect(resolved: ResolvedHost): Promise<Transport> {
    return this.get(resolved);
  }
  async closeAll(): Promise<void> {
    this.closed = true;
  }
}

/** Converges a file to the given content. */
export const setfile = defineModule({
  name: 'setfile',
  summary: 'test: file content',
  params: z.strictObject({ path: z.string(), content: z.string() }),
  gather: async (h, p) => ({ current: await h.read(p.path) }),
  plan: ({ current }, p) =>
    current === p.content
      ? { steps: [], note: 'same' }
      : { steps: [write(p.path, current === null ? null : sumOf(current), p.content, { title: `write ${p.path}` })] },
});

/** Runs a command every time (like `command`). */
export const run = defineModule({
  name: 'run',
  summary: 'test: command',
  idempotent: false,
  freeForm: 'cmd',
  params: z.strictObject({ cmd: z.string() }),
  gather: async () => ({}),
  plan: (_f, p) => ({ steps: [{ kind: 'exec', title: p.cmd, cmd: sh`sh -c ${p.cmd}` }] }),
});

/** Claims to be idempotent but never converges: the engine must call it a module bug. */
export const broken = defineModule({
  name: 'broken',
  summary: 'test: never converges',
  params: z.strictObject({}),
  gather: async () => ({}),
  plan: () => ({ steps: [{ kind: 'exec', title: 'again', cmd: sh`true` }] }),
});

/** Reads a probe; plans nothing. */
export const probe = defineModule({
  name: 'probe',
  summary: 'test: read-only probe',
  params: z.strictObject({}),
  gather: async (h) => ({
    out: await h.fact({ name: 'uname', command: () => readOnly(sh`uname -n`), parse: (o) => o.stdout }),
  }),
  plan: (f) => ({ steps: [], data: { out: f.out } }),
});

export const testModules: ReadonlyMap<string, Module> = new Map<string, Module>([
  ['setfile', setfile as unknown as Module],
  ['run', run as unknown as Module],
  ['broken', broken as unknown as Module],
  ['probe', probe as unknown as Module],
]);

const at = { file: 'test.yml', line: 1, col: 1 };

export const task = (module: string, params: Record<string, unknown>, extra: Partial<Task> = {}): Task =>
  builtTask(extra.name ?? module, module, params, at, extra);

export function play(hosts: string, tasks: Task[], extra: Partial<Play> = {}): Play {
  return {
    name: extra.name ?? hosts,
    hosts,
    vars: {},
    serial: [],
    anyErrorsFatal: false,
    become: false,
    gatherFacts: false,
    tags: [],
    tasks,
    handlers: [],
    at,
    ...extra,
  };
}

export const collect = () => {
  const events: RunEvent[] = [];
  return {
    events,
    report: (e: RunEvent) => {
      events.push(e);
    },
  };
};

export const book = (...plays: Playbook['plays']): Playbook => ({ file: 'test.yml', dir: '.', plays, text: '' });

/** Runs a playbook on fake hosts with the test modules; returns the result and every event. */
export async function go(
  pb: Playbook,
  inv: Inventory,
  connector: Connector,
  extra: Partial<EngineOptions & { limit: string }> = {},
) {
  const { events, report } = collect();
  const result = await runPlays(pb, inv, {
    check: false,
    diff: false,
    forks: 20,
    tags: [],
    skipTags: [],
    extraVars: {},
    modules: testModules,
    connector,
    report,
    playbookDir: '.',
    ...extra,
  });
  return { result, events };
}

export const ends = (events: RunEvent[]) =>
  events.filter((e): e is Extract<RunEvent, { type: 'host:end' }> => e.type === 'host:end');
