// Engine: `always` steps may come back in the re-plan, other steps may not; controller-write steps write on the controller only outside check mode.
import test from 'ava';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runPlays } from '../../src/engine/run-plays.js';
import type { Inventory } from '../../src/inventory/types.js';
import type { Playbook } from '../../src/load/playbook-types.js';
import type { RunEvent } from '../../src/report/events.js';
import { defineModule, exec, sh, sumOf, z, type Module } from '../../src/sdk.js';
import { FakeConnector, collect, play, task } from './fakes.js';
import { buildInventory } from './inventory-builder.js';

/** Plans an action on every run: convergent only when the step is marked always. */
const kick = (always: boolean) =>
  defineModule({
    name: always ? 'kick' : 'kick_wrong',
    summary: 'test',
    params: z.strictObject({}),
    gather: async () => null,
    plan: () => ({ steps: [exec('kick it', sh`true`, { always })] }),
  });

/** Writes `text` to a controller file unless it already holds it. */
const grab = defineModule({
  name: 'grab',
  summary: 'test',
  params: z.strictObject({ path: z.string(), text: z.string() }),
  gather: async (host, p) => host.readController!(p.path),
  plan: (local, p) =>
    local.bytes && Buffer.from(local.bytes).toString() === p.text
      ? { steps: [] }
      : {
          steps: [
            {
              kind: 'controller-write',
              title: `write ${p.path}`,
              path: local.path,
              before: null,
              after: sumOf(p.text),
              base64: Buffer.from(p.text).toString('base64'),
            },
          ],
        },
});

const modules = new Map<string, Module>([kick(true), kick(false), grab].map((m) => [m.name, m as unknown as Module]));

async function go(tasks: ReturnType<typeof task>[], inv: Inventory, dir: string, check = false) {
  const { events, report } = collect();
  const pb: Playbook = { file: 'test.yml', dir, plays: [play('all', tasks)], text: '' };
  const result = await runPlays(pb, inv, {
    check,
    diff: false,
    forks: 5,
    tags: [],
    skipTags: [],
    extraVars: {},
    modules,
    connector: new FakeConnector(),
    report,
    playbookDir: dir,
  });
  const ends = events.filter((e): e is Extract<RunEvent, { type: 'host:end' }> => e.type === 'host:end');
  return { result, ends };
}

test('an always step may be planned again after apply; any other step is a module bug', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'stackplay-steps-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const inv = buildInventory({ g: ['a'] });
  const ok = await go([task('kick', {})], inv, dir);
  t.deepEqual(
    ok.ends.map((e) => e.status),
    ['changed'],
  );
  const bad = await go([task('kick_wrong', {})], inv, dir);
  t.regex(bad.ends[0]!.message!, /not convergent/);
});

test('controller-write: written relative to the playbook folder, once; never in check mode', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'stackplay-steps-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const inv = buildInventory({ g: ['a'] });
  const grabTask = task('grab', { path: 'out/sub/f.txt', text: 'hello' });
  const dry = await go([grabTask], inv, dir, true);
  t.deepEqual(
    dry.ends.map((e) => e.status),
    ['changed'],
  );
  t.false(existsSync(join(dir, 'out')), 'check mode wrote nothing');
  const real = await go([grabTask], inv, dir);
  t.deepEqual(
    real.ends.map((e) => e.status),
    ['changed'],
  );
  t.is(readFileSync(join(dir, 'out/sub/f.txt'), 'utf8'), 'hello');
  const again = await go([grabTask], inv, dir);
  t.deepEqual(
    again.ends.map((e) => e.status),
    ['ok'],
  );
});
