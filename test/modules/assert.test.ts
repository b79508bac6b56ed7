// assert module: conditions on vars, the failing condition named, messages, no connection.
import { assert } from '../../modules/assert.js';
import test from 'ava';
import { hostViewOf } from '../helpers/host-view.js';
import { paramsCase, table } from './macro.js';

const vars = { x: 1, y: 3, roles: ['core'] };

table(assert, [
  {
    title: 'all conditions hold',
    params: { that: ['x == 1', "'core' in roles"] },
    vars,
    note: 'all assertions passed',
    data: { msg: 'all assertions passed' },
  },
  {
    title: 'a single condition as a string',
    params: { that: 'y > 2', success_msg: 'y is big enough' },
    vars,
    note: 'y is big enough',
  },
  { title: 'quiet says nothing', params: { that: 'x == 1', quiet: true }, vars, data: undefined },
  {
    title: 'the failing condition is named with fail_msg',
    params: { that: ['x == 1', 'y == 2'], fail_msg: 'y must be 2' },
    vars,
    fail: 'y must be 2 (failed: y == 2)',
    data: { assertion: 'y == 2', evaluated_to: false },
  },
  {
    title: 'without a message the condition is the message',
    params: { that: 'y == 2' },
    vars,
    fail: 'assertion failed: y == 2',
  },
  {
    title: 'msg is the older name of fail_msg',
    params: { that: 'y == 2', msg: 'old style' },
    vars,
    fail: 'old style (failed: y == 2)',
  },
  {
    title: 'stops at the first false condition',
    params: { that: ['y == 2', 'nope == 1'] },
    vars,
    fail: 'assertion failed: y == 2',
  },
  {
    title: 'an undefined variable fails clearly',
    params: { that: 'z == 1' },
    vars,
    fail: /^cannot evaluate condition "z == 1": undefined variable "z"/,
  },
]);

test('assert: runs on the controller only', (t) => {
  t.true(assert.local);
});

test("assert: gather uses the host view's test(), whatever evaluator the engine gives it", async (t) => {
  const seen: string[] = [];
  const view = hostViewOf(undefined, vars);
  const host = {
    ...view,
    test: (e: string) => {
      seen.push(e);
      return view.test(e);
    },
  };
  const outcomes = await assert.gather(host, assert.params.parse({ that: ['x == 1', 'y == 3'] }));
  t.deepEqual(seen, ['x == 1', 'y == 3']);
  t.deepEqual(outcomes, [
    { that: 'x == 1', ok: true },
    { that: 'y == 3', ok: true },
  ]);
});

test(paramsCase, assert, { that: [] }, /too small|at least 1/i);
test(paramsCase, assert, { that: 'x', fail_message: 'typo' }, /Unrecognized key: "fail_message"/);
