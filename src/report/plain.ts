// Plain-line renderer for non-terminals and CI logs.
import type { Reporter, RunEvent } from './events.js';
import { describeStep } from './diff.js';
import { formatRecap } from './recap-text.js';
import { formatDiagnostic } from '../errors.js';

const indent = (s: string, by = '    ') => s.replace(/^/gm, by);

export function formatPlain(e: RunEvent): string | undefined {
  switch (e.type) {
    case 'run:start':
      return `${e.check ? 'CHECK' : 'RUN'} ${e.playbook} on ${e.hosts.length} host(s)${e.check ? ' (check mode: nothing will change)' : ''}`;
    case 'play:start':
      return `\nPLAY [${e.name}] ${e.hosts.join(', ') || '(no hosts)'}`;
    case 'phase:start':
      return `  PHASE ${e.phase}: ${e.hosts.join(', ')}`;
    case 'batch:start':
      return `  BATCH ${e.batch}: ${e.hosts.join(', ')}`;
    case 'task:start':
      return `  TASK [${e.task.handler ? 'handler: ' : ''}${e.task.name}]`;
    case 'host:plan': {
      if (e.plan.steps.length === 0) return undefined;
      return e.plan.steps.map((s) => indent(`~ ${e.host}: ${describeStep(s, e.diff)}`)).join('\n');
    }
    case 'host:end': {
      const label = e.ignored ? 'failed (ignored)' : e.status;
      const msg = e.output ?? (e.status === 'failed' || e.status === 'unreachable' ? e.message : undefined);
      return `    ${label}: ${e.host}${msg ? ` => ${msg.includes('\n') ? `\n${indent(msg, '       ')}` : msg}` : ''}`;
    }
    case 'warning':
      return `[WARNING] ${e.message}`;
    case 'diagnostics':
      return e.diagnostics.map((d) => formatDiagnostic(d)).join('\n');
    case 'run:end':
      return `\n${formatRecap(e.recap)}${e.interrupted ? '\ninterrupted by the user' : ''}`;
    default:
      return undefined;
  }
}

/**
 * Plain lines as a run goes. Under strategy free a host's events may belong to any task, so a task's
 * banner comes before the first host line of a task other than the last banner's, as Ansible's
 * default callback prints it under free, and never on task:start.
 */
export function plainLines(): (e: RunEvent) => string | undefined {
  let free = false;
  let last: string | undefined;
  return (e) => {
    if (e.type === 'play:start') free = e.strategy !== undefined;
    if (e.type === 'play:start' || e.type === 'phase:start' || e.type === 'batch:start') last = undefined;
    if (!free) return formatPlain(e);
    if (e.type === 'task:start') return undefined;
    const text = formatPlain(e);
    if (text === undefined || (e.type !== 'host:plan' && e.type !== 'host:end')) return text;
    const key = `${e.task.play}:${e.task.index}:${e.task.handler ? 'h' : 't'}`;
    if (key === last) return text;
    last = key;
    return `${formatPlain({ type: 'task:start', task: e.task, hosts: [e.host] })}\n${text}`;
  };
}

export const plainReporter = (write: (text: string) => void): Reporter => {
  const lines = plainLines();
  return (e) => {
    const text = lines(e);
    if (text !== undefined) write(`${text}\n`);
  };
};
