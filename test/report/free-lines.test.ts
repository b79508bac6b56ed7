// Under strategy free, task events of different tasks interleave: plain and tree output put each host line under its own task's banner.
import test from 'ava';
import type { RunEvent, TaskRef } from '../../src/report/events.js';
import { plainReporter } from '../../src/report/plain.js';
import { treeReporter } from '../../src/report/tree.js';

const t1: TaskRef = { play: 0, index: 0, name: 'first', module: 'command' };
const t2: TaskRef = { play: 0, index: 1, name: 'second', module: 'command' };
const end = (task: TaskRef, host: string): RunEvent => ({ type: 'host:end', task, host, status: 'ok', ms: 1 });

/** a runs both tasks while b is still in the first: what runTask emits for one host at a time. */
const interleaved = (strategy?: 'free'): RunEvent[] => [
  { type: 'play:start', play: 0, name: 'p', hosts: ['a', 'b'], ...(strategy ? { strategy } : {}) },
  { type: 'task:start', task: t1, hosts: ['a'] },
  { type: 'task:start', task: t1, hosts: ['b'] },
  end(t1, 'a'),
  { type: 'task:end', task: t1 },
  { type: 'task:start', task: t2, hosts: ['a'] },
  end(t2, 'a'),
  { type: 'task:end', task: t2 },
  end(t1, 'b'),
  { type: 'task:end', task: t1 },
  { type: 'task:start', task: t2, hosts: ['b'] },
  end(t2, 'b'),
  { type: 'task:end', task: t2 },
  { type: 'play:end', play: 0 },
];

const FREE_LINES = [
  '',
  'PLAY [p] a, b',
  '  TASK [first]',
  '    ok: a',
  '  TASK [second]',
  '    ok: a',
  '  TASK [first]',
  '    ok: b',
  '  TASK [second]',
  '    ok: b',
];

test('plain, free: a banner before each host line of another task than the last banner, none on task:start', (t) => {
  let out = '';
  const report = plainReporter((s) => {
    out += s;
  });
  for (const e of interleaved('free')) report(e);
  t.deepEqual(out.trimEnd().split('\n'), FREE_LINES);
});

test('plain, linear: banners on task:start as before', (t) => {
  let out = '';
  const report = plainReporter((s) => {
    out += s;
  });
  const linear: RunEvent[] = [
    { type: 'play:start', play: 0, name: 'p', hosts: ['a', 'b'] },
    { type: 'task:start', task: t1, hosts: ['a', 'b'] },
    end(t1, 'a'),
    end(t1, 'b'),
    { type: 'task:end', task: t1 },
  ];
  for (const e of linear) report(e);
  t.deepEqual(out.trimEnd().split('\n'), ['', 'PLAY [p] a, b', '  TASK [first]', '    ok: a', '    ok: b']);
});

test('tree, free: the same lines as plain, every host line under its task (no live list waits for a host)', async (t) => {
  let out = '';
  const tree = treeReporter((s) => {
    out += s;
  });
  for (const e of interleaved('free')) tree.report(e);
  await tree.done();
  t.deepEqual(out.trimEnd().split('\n'), FREE_LINES);
});
