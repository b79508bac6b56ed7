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

test('redaction drops the bytes of a controller write: base64 would hide a secret from the masking', (t) => {
  const seen: RunEvent[] = [];
  const report = redactingReporter(
    (e) => seen.push(e),
    () => ['hunter22'],
  );
  const after = 'password: hunter22\n';
  report({
    type: 'host:plan',
    task: { play: 0, index: 0, name: 'x', module: 'fetch' },
    host: 'a',
    diff: true,
    plan: {
      steps: [
        {
          kind: 'controller-write',
          title: 'fetch /etc/x -> /b/a/etc/x',
          path: '/b/a/etc/x',
          before: null,
          after,
          base64: Buffer.from(after).toString('base64'),
        },
      ],
    },
  });
  const text = JSON.stringify(seen);
  t.false(text.includes('hunter22'));
  t.false(text.includes(Buffer.from(after).toString('base64')));
  t.true(text.includes('password: ********'));
});

test('write steps show as unified diffs with --diff, other steps as their title', (t) => {
  const step = {
    kind: 'write' as const,
    title: 'update /etc/hosts',
    path: '/etc/hosts',
    before: 'a\nb\n',
    after: 'a\nc\n',
  };
  const shown = describeStep(step, true);
  t.regex(shown, /--- a\/etc\/hosts/);
  t.regex(shown, /-b\n\s+\+c/);
  t.is(describeStep(step, false), 'update /etc/hosts');
  t.is(
    describeStep({ kind: 'write', title: 'key', path: '/k', before: null, after: 'x', secret: true }, true),
    'key\n  (content hidden: secret)',
  );
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
