// Conditions: a table of expressions and their values, precedence, tests, filters and methods.
import test from 'ava';
import { evalExpr, testExpr } from '../../src/template/expr.js';

const vars = {
  a: 1, two: 2, s: 'Hello', l: [1, 2, 3], empty: [], none: null, zero: 0,
  flag: 'false', yes: 'yes', on: true,
  r: { failed: false, changed: true, rc: 0, stdout: 'ok\nthere', stdout_lines: ['ok', 'there'] },
  bad: { failed: true, changed: false, rc: 2 },
  skip: { skipped: true, changed: false },
  d: { 'dotted.key': 5, nested: { deep: 'x' } },
  name: 'nested',
};

const values: [string, unknown][] = [
  ['1', 1], ['1.5', 1.5], ["'single'", 'single'], ['"double"', 'double'], ["'it\\'s'", "it's"],
  ['true', true], ['True', true], ['false', false], ['False', false], ['none', null], ['None', null],
  ['[1, "a", [2]]', [1, 'a', [2]]], ['[]', []], ['[1, 2,]', [1, 2]], ["{'k': a}", { k: 1 }], ['(1, 2)', [1, 2]],
  ['a', 1], ['r.rc', 0], ["r['rc']", 0], ['l[0]', 1], ['l[-1]', 3], ["d['dotted.key']", 5], ['d[name].deep', 'x'],
  ['r.stdout_lines[1]', 'there'], ['vars.a', 1], ["vars['s']", 'Hello'],
  ['a == 1', true], ['a != 1', false], ['a < 2', true], ['a > 2', false], ['a <= 1', true], ['a >= 2', false],
  ["s == 'Hello'", true], ["'a' < 'b'", true], ['[1, 2] == [1, 2]', true], ["{'x': 1} == {'x': 1}", true], ['none == None', true],
  ['1 < two < 3', true], ['1 < two < 2', false],
  ['2 in l', true], ['5 in l', false], ['5 not in l', true], ["'ell' in s", true], ["'rc' in r", true], ["'zz' not in r", true],
  ['a == 1 and two == 2', true], ['a == 1 and two == 3', false], ['a == 2 or two == 2', true], ['not a == 2', true],
  ['not a == 1 or two == 2', true], ['a == 2 or a == 1 and two == 2', true], ['(a == 2 or a == 1) and two == 3', false],
  ['not not a', true], ['a and 0', 0], ['0 or "x"', 'x'],
  ['1 + 2 * 3', 7], ['(1 + 2) * 3', 9], ['7 // 2', 3], ['7 / 2', 3.5], ['-7 % 3', 2], ['2 ** 3', 8], ['-a + 3', 2],
  ["'a' ~ 1 ~ none", 'a1'], ["'x' + 'y'", 'xy'], ['l + [4]', [1, 2, 3, 4]],
  ["'y' if a == 1 else 'n'", 'y'], ["'y' if a == 2 else 'n'", 'n'], ["'y' if a == 2", null],
  ['x is defined', false], ['a is defined', true], ['x is not defined', true], ['x is undefined', true],
  ['r.nope is defined', false], ['x.y.z is defined', false], ['l[9] is defined', false], ['not x is defined', true],
  ['r is succeeded', true], ['r is success', true], ['r is failed', false], ['bad is failed', true], ['bad is failure', true],
  ['bad is not succeeded', true], ['r is changed', true], ['bad is changed', false], ['skip is skipped', true], ['r is skipped', false],
  ["s is match('He')", true], ["s is match('ell')", false], ["s is search('ell')", true], ["r.stdout is search('^there')", false],
  ["r.stdout is search('(?m)^there')", true], ["s is match('(?i)hello')", true], ["s is regex('l+o$')", true],
  ['none is none', true], ['s is string', true], ['a is number', true], ['l is sequence', true], ['d is mapping', true],
  ['2 is in(l)', true],
  ['l | length', 3], ['s | length', 5], ['d | length', 2], ['l | length > 2', true], ['empty | length == 0', true],
  ["'42' | int", 42], ["'4.7' | int", 4], ["'x' | int", 0], ["'x' | int(7)", 7], ["'2.5' | float", 2.5],
  ["'yes' | bool", true], ["'No' | bool", false], ['1 | bool', true], ["'true' | bool", true], ['none | bool', false],
  ['x | default(5)', 5], ['a | default(5)', 1], ["x | default('d') | upper", 'D'], ["'' | default('d', true)", 'd'],
  ['x.y | default(1)', 1], ['r.nope | d(2)', 2],
  ["s | lower", 'hello'], ["s | upper", 'HELLO'], ["'  t  ' | trim", 't'], ["l | join(',')", '1,2,3'],
  ['l | first', 1], ['l | last', 3], ['[3, 1, 2] | sort', [1, 2, 3]], ['[1, 1, 2] | unique', [1, 2]],
  ["'a,b' | split(',')", ['a', 'b']], ["'abc' | replace('b', 'x')", 'axc'], ["'v1.2' | regex_search('\\\\d+')", '1'],
  ["'ab12' | regex_replace('(\\\\d)', '<\\\\1>')", 'ab<1><2>'], ['a | string', '1'], ['l | to_json', '[1,2,3]'],
  ["s.startswith('He')", true], ["s.endswith('x')", false], ["s.lower()", 'hello'], ["'a b'.split()", ['a', 'b']],
  ["r.get('rc')", 0], ["r.get('zz', 9)", 9], ["', '.join(['a', 'b'])", 'a, b'], ["'  x '.strip()", 'x'],
  ['{{ a == 1 }}', true], ['  {{ l | length }}  ', 3],
];

for (const [expr, expected] of values) {
  test(`eval ${expr}`, (t) => t.deepEqual(evalExpr(expr, vars), expected));
}

const truths: [string, boolean][] = [
  ['flag', false], ['yes', true], ['on', true], ['zero', false], ['empty', false], ['none', false], ["''", false],
  ["'off'", false], ["'0'", true], ['l', true], ['d', true], ['r.rc == 0 and r is not failed', true], ['{{ a }}', true],
];

for (const [expr, expected] of truths) {
  test(`truth of ${expr}`, (t) => t.is(testExpr(expr, vars), expected));
}
