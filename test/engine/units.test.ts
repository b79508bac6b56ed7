// Pure pieces of the engine and reporters: batch sizes, tag selection, redaction, diffs, recap.
import test from 'ava';
import { batchSizes, groupByPhase } from '../../src/engine/batches.js';
import { taskSelected } from '../../src/engine/tags.js';
import { redactingReporter, secretValuesOf } from '../../src/report/redact.js';
import { describeStep } from '../../src/report/diff.js';
import { formatRecap } from '../../src/report/recap-text.js';
import { Recap } from '../../src/engine/recap.js';
import { sh, Secret } from '../../src/command.js';
import type { RunEvent } from '../../src/report/events.js';
import type { Transport } from '../../src/transport/types.js';
import { sumOf, write, type Step } from '../../src/sdk.js';
import { shownPlan } from '../../src/engine/write-diff.js';
import { shownStep } from '../../src/report/step-shown.js';

test('serial batch sizes: numbers, percentages, lists whose last size repeats', (t) => {
  t.deepEqual(batchSizes([], 5), [5]);
  t.deepEqual(batchSizes([2], 5), [2, 2, 1]);
  t.deepEqual(batchSizes(['50%'], 5), [2, 2, 1]);
  t.deepEqual(batchSizes(['10%'], 5), [1, 1, 1, 1, 1], 'a percentage never rounds to zero');
  t.deepEqual(batchSizes([1, '50%'], 9), [1, 4, 4]);
  t.deepEqual(batchSizes([3], 0), []);
});

test('hosts are grouped by phase in phase order; unknown phases go last', (t) => {
  const phase: Record<string, string> = { a: 'dea', b: 'core', c: 'other', d: 'dea' };
  t.deepEqual(
    groupByPhase(['a', 'b', 'c', 'd'], (h) => phase[h]!, ['core', 'router', 'dea']),
    [
      { phase: 'core', hosts: ['b'] },
      { phase: 'dea', hosts: ['a', 'd'] },
      { phase: 'other', hosts: ['c'] },
    ],
  );
});

test('tag selection follows Ansible: always, never, untagged, skip wins', (t) => {
  t.true(taskSelected([], [], []));
  t.false(taskSelected([], ['x'], []));
  t.true(taskSelected(['x'], ['x'], []));
  t.true(taskSelected(['always'], ['x'], []));
  t.false(taskSelected(['never'], [], []));
  t.true(taskSelected(['never', 'x'], ['x'], []));
  t.true(taskSelected([], ['untagged'], []));
  t.false(taskSelected(['x', 'y'], [], ['y']));
});

test('redaction masks secret values everywhere and drops the runnable command text', (t) => {
  t.deepEqual(
    secretValuesOf({
      ansible_password: 'hunter22',
      ansible_become_password: 's3cret!',
      user: 'root',
      api_token: 'tok123',
    }),
    ['hunter22', 's3cret!', 'tok123'],
  );
  const seen: RunEvent[] = [];
  const report = redactingReporter(
    (e) => seen.push(e),
    () => ['hunter22'],
  );
  const cmd = sh`login ${new Secret('hunter22')}`;
  report({
    type: 'step:start',
    task: { play: 0, index: 0, name: 'x', module: 'run' },
    host: 'a',
    step: { kind: 'exec', title: 'log in as hunter22', cmd, stdin: 'hunter22\n' },
  });
  const text = JSON.stringify(seen);
  t.false(text.includes('hunter22'));
  t.true(text.includes('login ********'));
});

test('redaction copies an event: keys such as __proto__ stay keys, the original is untouched', (t) => {
  const seen: RunEvent[] = [];
  const report = redactingReporter(
    (e) => seen.push(e),
    () => ['hunter22'],
  );
  const hosts = JSON.parse('{"__proto__": "said hunter22", "b": ["hunter22", 1]}') as Record<string, unknown>;
  const event = { type: 'warning', message: 'x', hosts } as unknown as RunEvent;
  report(event);
  const out = (seen[0] as unknown as { hosts: Record<string, unknown> }).hosts;
  t.deepEqual(Object.keys(out), ['__proto__', 'b']);
  t.is(Object.getPrototypeOf(out), Object.prototype);
  t.is(Object.getOwnPropertyDescriptor(out, '__proto__')?.value, 'said ********');
  t.deepEqual(out.b, ['********', 1]);
  t.deepEqual(hosts.b, ['hunter22', 1], 'the original is untouched');
  t.not(seen[0], event);
});

test('a controller write reaches events by size and sha256, never its bytes; its diff is masked', async (t) => {
  const seen: RunEvent[] = [];
  const report = redactingReporter(
    (e) => seen.push(e),
    () => ['hunter22'],
  );
  const after = 'password: hunter22\n';
  const step: Step = {
    kind: 'controller-write',
    title: 'fetch /etc/x -> /b/a/etc/x',
    path: '/b/a/etc/x',
    before: null,
    after: sumOf(after),
    base64: Buffer.from(after).toString('base64'),
  };
  report({
    type: 'host:plan',
    task: { play: 0, index: 0, name: 'x', module: 'fetch' },
    host: 'a',
    diff: true,
    plan: await shownPlan({ steps: [step] }, true, undefined),
  });
  const text = JSON.stringify(seen);
  t.false(text.includes('hunter22'));
  t.false(text.includes(Buffer.from(after).toString('base64')));
  t.true(text.includes('password: ********'));
  t.true(text.includes(`"sha256":"${sumOf(after).sha256}"`));
});

/** A transport that answers the diff's read of the host's file with `text` (base64, as the probe prints it). */
const holding = (text: string): Transport => ({
  host: 'a',
  exec: async () => ({ code: 0, signal: null, stdout: Buffer.from(text).toString('base64'), stderr: '', ms: 1 }),
  read: async () => text,
  write: async () => {},
  close: async () => {},
});

test('write steps show as unified diffs with --diff, other steps as their title', async (t) => {
  const step = write('/etc/hosts', sumOf('a\nb\n'), 'a\nc\n', { title: 'update /etc/hosts' });
  const [withDiff] = (await shownPlan({ steps: [step] }, true, { transport: holding('a\nb\n') })).steps;
  const shown = describeStep(withDiff!, true);
  t.regex(shown, /--- a\/etc\/hosts/);
  t.regex(shown, /-b\n\s+\+c/);
  t.is(describeStep(shownStep(step), false), 'update /etc/hosts');
  const secret = write('/k', null, 'x', { title: 'key', secret: true });
  const [hidden] = (await shownPlan({ steps: [secret] }, true, { transport: holding('') })).steps;
  t.is(describeStep(hidden!, true), 'key\n  (content hidden: secret)');
  t.false(JSON.stringify(hidden).includes(sumOf('x').sha256), 'a secret content is shown by size only');
  t.is(describeStep({ kind: 'exec', title: '~ hostname: a -> b', cmd: sh`hostname b` }, false), '~ hostname: a -> b');
});

test('recap counts like Ansible and picks the exit code', (t) => {
  const r = new Recap();
  r.count('a', 'changed');
  r.count('a', 'ok');
  r.count('b', 'failed', true);
  r.count('c', 'unreachable');
  t.deepEqual(r.toJSON().a, { ok: 2, changed: 1, failed: 0, unreachable: 0, skipped: 0, ignored: 0 });
  t.is(r.toJSON().b!.ignored, 1);
  t.is(r.exitCode(false), 3);
  r.count('b', 'failed');
  t.is(r.exitCode(false), 2);
  t.is(r.exitCode(true), 99);
  t.regex(formatRecap(r.toJSON()), /^RECAP\na : ok=2 {2}changed=1/);
});
