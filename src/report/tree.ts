// Live tree renderer for terminals: each task is a listr2 list with one row per host.
import { Listr } from 'listr2';
import type { Reporter, RunEvent } from './events.js';
import { plainLines } from './plain.js';
import { describeStep } from './diff.js';

/** The part of listr2's task wrapper this renderer uses. */
interface Row {
  title: string;
  skip(message?: string): void;
}
interface HostRow {
  resolve(): void;
  reject(e: Error): void;
  task?: Row;
  notes: string[];
}

export interface TreeReporter {
  report: Reporter;
  done(): Promise<void>;
}

/**
 * Tasks run in lock-step, so one listr2 list is live at a time; lines between them print plainly. A play
 * under strategy free has no such task: its tasks print as plain lines, each as it ends.
 */
export function treeReporter(write: (text: string) => void): TreeReporter {
  let chain: Promise<unknown> = Promise.resolve();
  let rows = new Map<string, HostRow>();
  const lines = plainLines();
  let free = false;
  const after = (fn: () => unknown) => {
    chain = chain.then(fn, fn);
  };

  const startTask = (e: Extract<RunEvent, { type: 'task:start' }>) => {
    const current = new Map<string, HostRow>();
    rows = current;
    const list = new Listr(
      e.hosts.map((host) => ({
        title: host,
        task: (_: unknown, task: Row) =>
          new Promise<void>((resolve, reject) => {
            const row = current.get(host)!;
            row.task = task;
            row.resolve = resolve;
            row.reject = reject;
          }),
      })),
      { concurrent: true, exitOnError: false, rendererOptions: { collapseErrors: false, collapseSkips: false } },
    );
    for (const host of e.hosts) current.set(host, { resolve: () => undefined, reject: () => undefined, notes: [] });
    const title = `${e.task.handler ? 'handler: ' : ''}${e.task.name}`;
    after(() => {
      write(`TASK [${title}]\n`);
      return list.run().catch(() => undefined);
    });
  };

  const finishHost = (e: Extract<RunEvent, { type: 'host:end' }>) => {
    const row = rows.get(e.host);
    if (!row) return;
    const settle = () => {
      const t = row.task;
      const detail = [...row.notes, ...(e.output ? [e.output] : [])].join('\n');
      if (t) t.title = `${e.host} ${e.ignored ? 'failed (ignored)' : e.status}${detail ? `\n${detail}` : ''}`;
      if (e.status === 'skipped') {
        t?.skip(`${e.host} skipped`);
        row.resolve();
      } else if ((e.status === 'failed' && !e.ignored) || e.status === 'unreachable')
        row.reject(new Error(`${e.host} ${e.status}: ${e.message ?? ''}`));
      else row.resolve();
    };
    // The row's task function may not have started yet when a host finishes quickly.
    if (row.task) settle();
    else
      setTimeout(function retry() {
        row.task ? settle() : setTimeout(retry, 5);
      }, 5);
  };

  const report: Reporter = (e) => {
    if (e.type === 'play:start') free = e.strategy !== undefined;
    if (free && (e.type === 'task:start' || e.type === 'host:plan' || e.type === 'host:end')) {
      const text = lines(e);
      if (text !== undefined) after(() => write(`${text}\n`));
      return;
    }
    switch (e.type) {
      case 'task:start':
        return startTask(e);
      case 'host:plan': {
        const row = rows.get(e.host);
        if (row) row.notes.push(...e.plan.steps.map((s) => `~ ${describeStep(s, e.diff)}`));
        return;
      }
      case 'host:end':
        return finishHost(e);
      case 'output':
      case 'step:start':
      case 'step:end':
      case 'task:end':
      case 'play:end':
        return;
      default: {
        const text = lines(e);
        if (text !== undefined) after(() => write(`${text}\n`));
      }
    }
  };
  return { report, done: () => chain.then(() => undefined) };
}
