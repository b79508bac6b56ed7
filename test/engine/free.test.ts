// strategy free and host_pinned on fake hosts: hosts never wait for each other, forks, handlers, run_once, ignored fail limits.
import test from 'ava';
import type { Block, TaskItem } from '../../src/load/playbook-types.js';
import type { ResolvedHost } from '../../src/inventory/types.js';
import type { RunEvent } from '../../src/report/events.js';
import type { Transport } from '../../src/transport/types.js';
import { FakeConnector, book, ends, go, play, task } from './fakes.js';
import { buildInventory } from './inventory-builder.js';

const warnings = (events: RunEvent[]) => events.flatMap((e) => (e.type === 'warning' ? [e.message] : []));

/** A command whose text holds `waits` does not return on `host` until `opens` has run on another host. */
class GatedConnector extends FakeConnector {
  readonly #gates: { host: string; waits: string; opens: string; open: () => void; opened: Promise<void> }[] = [];
  readonly order: string[] = [];

  gate(host: string, waits: string, opens: string): void {
    let open = () => {};
    const opened = new Promise<void>((r) => {
      open = r;
    });
    this.#gates.push({ host, waits, opens, open, opened });
  }

  override async get(resolved: ResolvedHost): Promise<Transport> {
    const inner = await super.get(resolved);
    return {
      ...inner,
      exec: async (cmd, o) => {
        for (const g of this.#gates) if (g.host === resolved.name && cmd.text.includes(g.waits)) await g.opened;
        const r = await inner.exec(cmd, o);
        this.order.push(`${resolved.name}:${cmd.text.replace(/^sh -c /, '')}`);
        for (const g of this.#gates) if (g.host !== resolved.name && cmd.text.includes(g.opens)) g.open();
        return r;
      },
    };
  }
}

test("free: a host's first task can wait for another host's second task (under linear it never could)", async (t) => {
  const c = new GatedConnector();
  c.gate('b', 'first', 'second');
  const pb = book(
    play('all', [task('run', { cmd: 'first' }), task('run', { cmd: 'second' }), task('run', { cmd: 'third' })], {
      strategy: 'free',
    }),
  );
  const { result, events } = await go(pb, buildInventory({ g: ['a', 'b'] }), c);
  t.is(result.exitCode, 0);
  const order = ends(events).map((e) => `${e.host}:${e.task.index}`);
  t.true(order.indexOf('a:1') < order.indexOf('b:0'), order.join(' '));
  t.deepEqual(
    order.filter((o) => o.startsWith('b')),
    ['b:0', 'b:1', 'b:2'],
  );
  // Every task ran through runTask for one host: its own task:start and task:end.
  const starts = events.filter((e): e is Extract<RunEvent, { type: 'task:start' }> => e.type === 'task:start');
  t.is(starts.length, 6);
  t.true(starts.every((s) => s.hosts.length === 1));
  t.is(events.filter((e) => e.type === 'task:end').length, 6);
  t.like(
    events.find((e) => e.type === 'play:start'),
    { strategy: 'free' },
  );
  t.deepEqual(result.recap.lines.get('b'), { ok: 3, changed: 3, failed: 0, unreachable: 0, skipped: 0, ignored: 0 });
});

test('free: at most forks tasks run at once across the hosts', async (t) => {
  const names = Array.from({ length: 12 }, (_, i) => `h${i}`);
  const c = new FakeConnector();
  const tasks = [task('run', { cmd: 'x' }), task('run', { cmd: 'y' }), task('run', { cmd: 'z' })];
  await go(book(play('all', tasks, { strategy: 'free' })), buildInventory({ g: names }), c, { forks: 3 });
  t.is(c.maxInFlight, 3);
  t.true(names.every((n) => c.host(n).execs.length === 3));
});

test('host_pinned: with one fork, each host walks the whole play before the next starts (free takes turns)', async (t) => {
  const walk = async (strategy: 'free' | 'host_pinned') => {
    const c = new GatedConnector();
    const tasks = ['one', 'two', 'three'].map((cmd) => task('run', { cmd }));
    await go(book(play('all', tasks, { strategy })), buildInventory({ g: ['a', 'b', 'c'] }), c, { forks: 1 });
    return c.order;
  };
  t.deepEqual(await walk('host_pinned'), [
    'a:one',
    'a:two',
    'a:three',
    'b:one',
    'b:two',
    'b:three',
    'c:one',
    'c:two',
    'c:three',
  ]);
  const free = await walk('free');
  t.true(free.indexOf('b:one') < free.indexOf('a:two'), free.join(' '));
});

test("free: a failed host stops alone; any_errors_fatal and max_fail_percentage are ignored with Ansible's warning", async (t) => {
  const c = new FakeConnector();
  c.host('b').answer = (text) => (text.includes('first') ? { code: 1 } : undefined);
  const tasks = [task('run', { cmd: 'first' }), task('run', { cmd: 'second' })];
  const pb = book(
    play('all', tasks, { strategy: 'free', anyErrorsFatal: true, maxFailPercentage: 0 }),
    play('all', [task('run', { cmd: 'next play' })]),
  );
  const { result, events } = await go(pb, buildInventory({ g: ['a', 'b', 'c'] }), c);
  t.is(result.exitCode, 2);
  t.is(result.stopped, undefined);
  t.deepEqual(c.host('a').execs, ['sh -c first', 'sh -c second', "sh -c 'next play'"]);
  t.deepEqual(c.host('b').execs, ['sh -c first']);
  const w = warnings(events);
  t.is(w.filter((m) => m.includes('any_errors_fatal with the free strategy is not supported')).length, 1);
  t.is(w.filter((m) => m.includes('max_fail_percentage with the free strategy is not supported')).length, 1);
});

test('free: handlers run for each host when it reaches the flush, while other hosts are still at earlier tasks', async (t) => {
  const c = new GatedConnector();
  // b's second task returns only after a's handler ran: a flushes on its own.
  c.gate('b', 'second', 'reload');
  const handler = task('run', { cmd: 'reload' }, { name: 'reload it' });
  const items: TaskItem[] = [
    task('run', { cmd: 'first' }, { notify: ['reload it'], when: ["inventory_hostname == 'a'"] }),
    task('run', { cmd: 'second' }),
    task('run', { cmd: 'third' }, { notify: ['reload it'] }),
    { kind: 'flush', at: { file: 'test.yml', line: 1, col: 1 } },
  ];
  const pb = book(play('all', items as never, { strategy: 'free', handlers: [handler] }));
  const { result, events } = await go(pb, buildInventory({ g: ['a', 'b'] }), c);
  t.is(result.exitCode, 0);
  t.true(c.order.indexOf('a:reload') < c.order.indexOf('b:second'), c.order.join(' '));
  // Each host runs the handler once, alone.
  const handled = ends(events).filter((e) => e.task.handler);
  t.deepEqual(handled.map((e) => e.host).sort(), ['a', 'b']);
  t.is(c.host('a').execs.filter((x) => x.includes('reload')).length, 1);
});

test('free: run_once runs on every host (with the warning); a failure there fails every host of the batch', async (t) => {
  const c = new FakeConnector();
  c.host('b').answer = () => ({ stdout: 'from b' });
  const ok = book(
    play('all', [task('run', { cmd: 'once' }, { runOnce: true, register: 'r' }), task('run', { cmd: 'after' })], {
      strategy: 'free',
    }),
  );
  const { result, events } = await go(ok, buildInventory({ g: ['a', 'b', 'c'] }), c);
  t.deepEqual(
    ['a', 'b', 'c'].map((h) => c.host(h).execs),
    [
      ['sh -c once', 'sh -c after'],
      ['sh -c once', 'sh -c after'],
      ['sh -c once', 'sh -c after'],
    ],
  );
  // Each host keeps its own result (Ansible copies each to every host, the last one processed winning).
  const stdout = (h: string) => (result.states.get(h)!.registered.r as { stdout: string }).stdout;
  t.deepEqual([stdout('a'), stdout('b')], ['', 'from b']);
  t.is(warnings(events).filter((m) => m.includes('run_once with the free strategy')).length, 1);

  const f = new GatedConnector();
  f.host('b').answer = (text) => (text.includes('once') ? { code: 1 } : undefined);
  // a and c finish "once" only after b failed it: then they stop there, uncounted as failed.
  f.gate('a', 'once', 'once');
  const fails = book(
    play('all', [task('run', { cmd: 'once' }, { runOnce: true }), task('run', { cmd: 'after' })], {
      strategy: 'free',
    }),
  );
  const run = await go(fails, buildInventory({ g: ['a', 'b'] }), f);
  t.deepEqual(f.host('b').execs, ['sh -c once']);
  t.false(f.host('a').execs.includes('sh -c after'));
  t.like(run.result.recap.lines.get('b'), { failed: 1 });
  t.like(run.result.recap.lines.get('a'), { failed: 0 });
});

test('free: a block fails on one host, that host runs rescue and always alone; the others go on', async (t) => {
  const c = new FakeConnector();
  c.host('b').answer = (text) => (text.includes('risky') ? { code: 1 } : undefined);
  const at = { file: 'test.yml', line: 1, col: 1 };
  const block: Block = {
    kind: 'block',
    name: 'b',
    block: [task('run', { cmd: 'risky' }), task('run', { cmd: 'more' })],
    rescue: [task('run', { cmd: 'rescue' })],
    always: [task('run', { cmd: 'always' })],
    at,
  };
  const pb = book(play('all', [block, task('run', { cmd: 'after' })] as never, { strategy: 'free' }));
  const { result } = await go(pb, buildInventory({ g: ['a', 'b'] }), c);
  t.is(result.exitCode, 0);
  t.deepEqual(c.host('a').execs, ['sh -c risky', 'sh -c more', 'sh -c always', 'sh -c after']);
  t.deepEqual(c.host('b').execs, ['sh -c risky', 'sh -c rescue', 'sh -c always', 'sh -c after']);
  t.like(result.recap.lines.get('b'), { failed: 0, rescued: 1, ok: 3 });
});
