// Conditions that cannot be parsed or evaluated: codes, columns, variable names and hints.
import test from 'ava';
import { evalExpr, parseExpr, testExpr } from '../../src/template/expr.js';
import { ExprError } from '../../src/template/errors.js';

const syntax: [string, RegExp][] = [
  ['a ==', /expected a value, found end of expression at column 5/],
  ['a = 1', /unexpected character "=" at column 3/],
  ['(a == 1', /expected "\)", found end of expression/],
  ['a b', /unexpected "b" at column 3/],
  ["'open", /unterminated string at column 1/],
  ['', /empty expression/],
  ['{{ }}', /empty expression/],
  ['a | lenght', /unknown filter "lenght" at column 5/],
  ['a is defind', /unknown test "defind"/],
  ["a is match('(')", /bad regular expression/],
  ['a is match', /needs a pattern/],
  ['lookup("env", "HOME")', /function calls are not supported/],
  ['s.strat()', /unknown method "strat\(\)"/],
  ['a and', /expected a value, found end of expression/],
  ['a == and', /found keyword "and"/],
  ['a $ b', /unexpected character "\$"/],
  ['a.', /expected an attribute name/],
  ['[1, 2', /expected "\]"/],
];

for (const [expr, message] of syntax) {
  test(`syntax error: ${expr || '(empty)'}`, (t) => {
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
  ['[x]', 'x'],
  ['a | default(x)', 'x'],
  ['r.rc.deep', 'r.rc.deep'],
];

for (const [expr, variable] of undefinedCases) {
  test(`undefined variable in ${expr}`, (t) => {
    const e = t.throws(() => testExpr(expr, { a: 1, r: { rc: 0 }, l: [1] }), { instanceOf: ExprError });
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

const typeErrors: [string, RegExp][] = [
  ['a < "2"', /cannot compare number 1 < string "2"/],
  ['a in 3', /"in" needs a string, list or dict on the right, got number 3/],
  ['1 in "abc"', /"in <string>" needs a string on the left/],
  ['a / 0', /division by zero/],
  ['"x" - 1', /cannot apply "-" to string "x" and number 1/],
  ['a is failed', /the "failed" test expects a registered task result, got number 1/],
  ['a | lower', /lower expects a string, got number 1/],
  ['a.startswith("x")', /startswith expects a string/],
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
  t.throws(() => parseExpr('a | constructor'), { instanceOf: ExprError });
  t.throws(() => parseExpr("a.constructor('x')"), { instanceOf: ExprError });
});

test('parsed expressions are cached and evaluate against different vars', (t) => {
  t.is(parseExpr('a == 1'), parseExpr('a == 1'));
  t.true(testExpr('a == 1', { a: 1 }));
  t.false(testExpr('a == 1', { a: 2 }));
});
