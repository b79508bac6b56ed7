// The generic modules against this machine (local transport, real sh and coreutils, a temp folder): plan, apply, re-plan.
import test from 'ava';
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Module } from '../../src/sdk.js';
import { localTransport } from '../../src/transport/local.js';
import { copy } from '../../modules/copy.js';
import { file } from '../../modules/file.js';
import { template } from '../../modules/template.js';
import { applyPlan, planOn, playbookFolder } from '../helpers/host-view.js';

const isRoot = process.getuid?.() === 0;

async function converge(
  t: { teardown(f: () => void): void },
  module: Module,
  params: (dir: string) => Record<string, unknown>,
  prepare?: (dir: string) => void,
  vars: Record<string, unknown> = {},
) {
  const dir = mkdtempSync(join(tmpdir(), "stackplay-local it's-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  prepare?.(dir);
  const host = localTransport('local');
  const playbook = playbookFolder({ 't.hbs': 'name={{name}}\n' });
  t.teardown(playbook.remove);
  const o = { playbookDir: playbook.dir };
  const first = await planOn(module, host, params(dir), vars, o);
  await applyPlan(host, first);
  const again = await planOn(module, host, params(dir), vars, o);
  return { dir, first, again };
}

const modeOf = (p: string) => (lstatSync(p).mode & 0o7777).toString(8);

test('file: directory with mode, then nothing to do', async (t) => {
  const { dir, first, again } = await converge(t, file, (d) => ({
    path: join(d, 'a/b'),
    state: 'directory',
    mode: '0750',
  }));
  t.is(first.steps.length, 1);
  t.deepEqual(again.steps, []);
  t.is(modeOf(join(dir, 'a/b')), '750');
});

test('file: touch, mode change, link re-pointing and absent', async (t) => {
  const touched = await converge(t, file, (d) => ({ path: join(d, 't'), state: 'touch', mode: '0600' }));
  t.deepEqual(touched.again.steps, []);
  t.is(modeOf(join(touched.dir, 't')), '600');
  const relinked = await converge(
    t,
    file,
    (d) => ({ path: join(d, 'l'), state: 'link', src: join(d, 'new') }),
    (d) => symlinkSync(join(d, 'old'), join(d, 'l')),
  );
  t.deepEqual(
    relinked.first.steps.map((s) => s.title.replaceAll(relinked.dir, 'D')),
    ['~ D/l: link to D/old -> link to D/new'],
  );
  t.deepEqual(relinked.again.steps, []);
  t.is(readlinkSync(join(relinked.dir, 'l')), join(relinked.dir, 'new'));
  const removed = await converge(
    t,
    file,
    (d) => ({ path: join(d, 'x'), state: 'absent' }),
    (d) => {
      mkdirSync(join(d, 'x/y'), { recursive: true });
      writeFileSync(join(d, 'x/y/z'), 'z');
    },
  );
  t.is(removed.first.steps.length, 1);
  t.deepEqual(removed.again.steps, []);
});

test('copy: create, then update keeping the mode, then a mode-only change', async (t) => {
  const created = await converge(t, copy, (d) => ({ dest: join(d, 'motd'), content: 'hi\n', mode: '0640' }));
  t.deepEqual(created.again.steps, []);
  t.is(readFileSync(join(created.dir, 'motd'), 'utf8'), 'hi\n');
  t.is(modeOf(join(created.dir, 'motd')), '640');
  const updated = await converge(
    t,
    copy,
    (d) => ({ dest: join(d, 'motd'), content: 'new\n' }),
    (d) => writeFileSync(join(d, 'motd'), 'old\n', { mode: 0o600 }),
  );
  t.deepEqual(updated.again.steps, []);
  t.is(modeOf(join(updated.dir, 'motd')), '600');
  const chmodded = await converge(
    t,
    copy,
    (d) => ({ dest: join(d, 'motd'), content: 'same', mode: '0600' }),
    (d) => writeFileSync(join(d, 'motd'), 'same', { mode: 0o644 }),
  );
  t.deepEqual(
    chmodded.first.steps.map((s) => s.title),
    ['~ mode: 0644 -> 0600'],
  );
  t.deepEqual(chmodded.again.steps, []);
});

(isRoot ? test : test.skip)('copy: owner and group changes (root only)', async (t) => {
  const r = await converge(
    t,
    copy,
    (d) => ({ dest: join(d, 'f'), content: 'x', owner: 'nobody', group: 'nogroup' }),
    (d) => writeFileSync(join(d, 'f'), 'y'),
  );
  t.deepEqual(r.again.steps, []);
  t.is(lstatSync(join(r.dir, 'f')).uid, 65534);
});

test('template: rendered with vars, then nothing to do', async (t) => {
  const r = await converge(t, template, (d) => ({ src: 't.hbs', dest: join(d, 'out.conf') }), undefined, {
    name: 'n1',
  });
  t.deepEqual(r.again.steps, []);
  t.is(readFileSync(join(r.dir, 'out.conf'), 'utf8'), 'name=n1\n');
});
