// Conditions that cannot be parsed or evaluated: codes, columns, variable names and hints.
import test from 'ava';
import { evalExpr, parseExpr, testExpr } from '../../src/template/expr.js';
import { ExprError } from '../../src/template/errors.js';

const syntax: [string, RegExp][] = [
  ['a ==', /expected a value, found end of expression at column 5/],
  ['a = 1', /unexpected text after the expression at column 2/],
  ['(a == 1', /expected comma after expression/],
  ['a b', /unexpected text after the expression at column 2/],
  ["'open", /unexpected text after the expression/],
  ['', /expected a value, found end of expression/],
  ['{{ }}', /expected a value, found end of expression/],
  ['a | lenght', /unknown filter "lenght" at column 4/],
  ['a is defind', /unknown test "defind"/],
  ['a and', /expected a value, found end of expression/],
  ['a $ b', /unexpected text after the expression/],
  ['a.', /expected name as lookup value/],
  ['[1, 2', /expected comma after expression/],
  ['(1, 2]', /unexpected '\]', expected '\)'/],
  ["{'a': 1]", /unexpected '\]', expected '\}'/],
  ['[1,,]', /unexpected token: ,/],
  ['f(1,,)', /unexpected token: ,/],
  [`${'('.repeat(5000)}1${')'.repeat(5000)}`, /nested deeper than 100 levels/],
];

for (const [expr, message] of syntax) {
  test(`syntax error: ${expr.length > 40 ? `${expr.slice(0, 20)}…(${expr.length} chars)` : expr || '(empty)'}`, (t) => {
    const e = t.throws(() => parseExpr(expr), { instanceOf: ExprError });
    t.is(e?.code, 'E_EXPR_SYNTAX');
    t.regex(e?.message ?? '', message);
  });
}

test('did-you-mean hints for filters and tests', (t) => {
  t.is(t.throws(() => parseExpr('a | lenght'), { instanceOf: ExprError })?.hint, 'did you mean "length"?');
  t.is(t.throws(() => parseExpr('a is defind'), { instanceOf: ExprError })?.hint, 'did you mean "defined"?');
  t.is(t.throws(() => parseExpr('a = 1'), { instanceOf: ExprError })?.hint, 'use "==" to compare');
});

const undefinedCases: [string, string][] = [
  ['x == 1', 'x'],
  ['x', 'x'],
  ['x.y == 1', 'x'],
  ['r.nope == 1', 'r.nope'],
  ["r['no pe']", 'r["no pe"]'],
  ['l[7] == 1', 'l[7]'],
  ['x | length', 'x'],
  ['x | int', 'x'],
  ['not x', 'x'],
  ['a == 1 and x', 'x'],
  ['x is failed', 'x'],
  ['r.rc.deep', 'r.rc.deep'],
  ['a.startswith("x")', 'a.startswith'],
  ['s.strat()', 's.strat'],
  ["a.constructor('x')", 'a.constructor'],
];

for (const [expr, variable] of undefinedCases) {
  test(`undefined variable in ${expr}`, (t) => {
    const e = t.throws(() => testExpr(expr, { a: 1, r: { rc: 0 }, l: [1], s: 'x' }), { instanceOf: ExprError });
    t.is(e?.code, 'E_EXPR_UNDEFINED');
    t.is(e?.variable, variable);
    t.is(e?.message, `undefined variable "${variable}" in condition "${expr}"`);
    t.regex(e?.hint ?? '', /is defined/);
  });
}

test('short-circuit: an undefined right side is never evaluated', (t) => {
  t.false(testExpr('x is defined and x > 1', {}));
  t.true(testExpr('x is not defined or x > 1', {}));
  t.is(evalExpr("'n' if false else x | default('d')", {}), 'd');
});

test('as in Ansible, an undefined value only fails when used: in a list literal or as an unused default', (t) => {
  t.true(testExpr('[x]', { a: 1 }));
  t.is(evalExpr('a | default(x)', { a: 1 }), 1);
});

const typeErrors: [string, RegExp][] = [
  ['a < "2"', /cannot compare int 1 < str "2"/],
  ['a in 3', /cannot look for a value in int 3/],
  ['1 in "abc"', /"in <string>" needs a string on the left, got int 1/],
  ['a / 0', /division by zero/],
  ['"x" - 1', /cannot apply "-" to str "x" and int 1/],
  ['a is failed', /the failed\/succeeded tests expect a registered task result/],
  ["a is match('(')", /invalid regular expression "\("/],
  ["'aaaa' is match('(a+)+$')", /can backtrack catastrophically/],
];

for (const [expr, message] of typeErrors) {
  test(`type error: ${expr}`, (t) => {
    const e = t.throws(() => evalExpr(expr, { a: 1 }), { instanceOf: ExprError });
    t.is(e?.code, 'E_EXPR_TYPE');
    t.regex(e?.message ?? '', message);
    t.true(e?.message.endsWith(`in condition "${expr}"`));
  });
}

test('a numeric string compared with a number hints at | int', (t) => {
  t.is(
    t.throws(() => evalExpr('n > 2', { n: '3' }), { instanceOf: ExprError })?.hint,
    'convert with "| int" or "| float"',
  );
  t.true(testExpr('n | int > 2', { n: '3' }));
});

test('no access to prototype properties', (t) => {
  t.false(testExpr('a.constructor is defined', { a: {} }));
  t.false(testExpr('toString is defined', {}));
  t.false(testExpr('a.__proto__ is defined', { a: {} }));
  t.throws(() => parseExpr('a | constructor'), { instanceOf: ExprError });
  t.is(
    t.throws(() => testExpr("''.constructor.constructor('return 1')()", {}), { instanceOf: ExprError })?.code,
    'E_EXPR_UNDEFINED',
  );
});

test('parsed expressions are cached and evaluate against different vars', (t) => {
  t.is(parseExpr('a == 1'), parseExpr('a == 1'));
  t.is(evalExpr('lookup("env", "STACKPLAY_TEST_ENV")', {}), '');
  t.true(testExpr('a == 1', { a: 1 }));
  t.false(testExpr('a == 1', { a: 2 }));
});
