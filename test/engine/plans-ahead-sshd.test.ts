// The engine over a real sshd when a task that carried plans ahead fails its re-plan: the error and a warning name what already ran.
import test from 'ava';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Connector } from '../../src/engine/types.js';
import type { ResolvedHost } from '../../src/inventory/types.js';
import type { Module } from '../../src/sdk.js';
import { defineFact, defineModule, readOnly, sh, write, z } from '../../src/sdk.js';
import type { Transport } from '../../src/transport/types.js';
import { modules } from '../../modules/index.js';
import { startSshd, type Sshd } from '../helpers/sshd.js';
import { connectTo, sshdAvailable } from '../transport/util.js';
import { book, ends, go, play, task } from './fakes.js';
import { buildInventory } from './inventory-builder.js';

let sshd: Sshd;
test.before(async () => {
  if (sshdAvailable) sshd = await startSshd();
});
test.after.always(async () => {
  await sshd?.stop();
});

const exists = defineFact({
  name: 'exists',
  command: (path: string) => readOnly(sh`test -e ${path} && echo yes || echo no`),
  parse: (out) => out.stdout.trim() === 'yes',
});

/** Declarative by its word, but writes its file on every run: its re-plan after apply is never empty (a module bug). */
const stubborn = defineModule({
  name: 'stubborn',
  summary: 'test: writes every time',
  params: z.strictObject({ path: z.string() }),
  gather: (h, p) => h.fact(exists, p.path),
  plan: (had, p) => ({ steps: [write(p.path, null, `again ${had}\n`, { title: `write ${p.path}` })] }),
});

/** One SSH connection per host, to the test sshd. */
function sshdConnector(): Connector & { opened: Transport[] } {
  const opened: Transport[] = [];
  const get = async (_h: ResolvedHost) => {
    const t = await connectTo(sshd);
    opened.push(t);
    return t;
  };
  return {
    opened,
    get,
    reconnect: get,
    closeAll: async () => {
      await Promise.all(opened.map((t) => t.close()));
    },
  };
}

(sshdAvailable ? test : test.skip)(
  'a carrying task whose re-plan fails: its error and a warning at the end name the task already applied with it',
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'stackplay-pa-sshd-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const connector = sshdConnector();
    const inv = buildInventory({ nodes: ['node1'] }, { node1: sshd.inventoryVars() });
    const { result, events } = await go(
      book(
        play('node1', [
          task('stubborn', { path: join(dir, 'stubborn') }, { name: 'carrier' }),
          task('copy', { dest: join(dir, 'ahead'), content: 'ahead\n' }, { name: 'ahead' }),
          task('copy', { dest: join(dir, 'later'), content: 'later\n' }, { name: 'later' }),
        ]),
      ),
      inv,
      connector,
      { modules: new Map<string, Module>([...modules, ['stubborn', stubborn as unknown as Module]]) },
    );
    t.is(result.exitCode, 2);
    const carrier = ends(events).find((e) => e.task.name === 'carrier');
    t.is(carrier?.status, 'failed');
    t.regex(carrier?.message ?? '', /not convergent.*already applied with it, planned ahead: "ahead", "later"/);
    t.deepEqual(
      ends(events).map((e) => e.task.name),
      ['carrier'],
      'the host stops at the module bug',
    );
    const warnings = events.filter((e) => e.type === 'warning').map((e) => (e as { message: string }).message);
    t.true(
      warnings.some((w) => /node1: ran ahead.*did not reach them after it: "ahead", "later"/.test(w)),
      warnings.join('\n'),
    );
    t.is(readFileSync(join(dir, 'ahead'), 'utf8'), 'ahead\n', 'what the warning names did happen');
    t.true(existsSync(join(dir, 'later')));
  },
);
