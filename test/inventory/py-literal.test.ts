// Python's ast.literal_eval as the INI reader uses it; every expected value is what python3 -c 'ast.literal_eval(...)' gave.
import test from 'ava';
import { literalEval, TooDeep } from '../../src/inventory/py-literal.js';

const NOT = undefined;

const cases: Array<[string, unknown]> = [
  ['42', 42],
  ['-7', -7],
  ['+3', 3],
  ['0x1F', 31],
  ['0o17', 15],
  ['0b101', 5],
  ['0x_1F', 31],
  ['0x_zz', NOT],
  ['0b102', NOT],
  ['1_000', 1000],
  ['007', NOT],
  ['0', 0],
  ['3.10', 3.1],
  ['.5', 0.5],
  ['1e3', 1000],
  ['1.5e-3', 0.0015],
  ['1j', NOT], // a complex or a set: a literal, but Ansible cannot list it
  ['True', true],
  ['False', false],
  ['None', null],
  ['true', NOT],
  ['yes', NOT],
  ["'a'", 'a'],
  ['"b"', 'b'],
  ["'a' 'b'", 'ab'],
  ["u'x'", 'x'],
  ["b'y'", 'y'],
  ["r'a\\nb'", 'a\\nb'],
  ["'a\\nb'", 'a\nb'],
  ["'\\x41\\u00e9'", 'Aé'],
  ["'''t'''", 't'],
  ["f'x'", NOT],
  ["[1, 'a', [2]]", [1, 'a', [2]]],
  ['[1,]', [1]],
  ['(1, 2)', [1, 2]],
  ['(1,)', [1]],
  ['()', []],
  ['1, 2', [1, 2]],
  ["{'k': 1, 2: 'two'}", { '2': 'two', k: 1 }],
  ['{}', {}],
  ['{1, 2}', NOT], // a complex or a set: a literal, but Ansible cannot list it
  ['[1 2]', NOT],
  ['1 # c', 1],
  ['[1, # c\n 2]', [1, 2]],
  ['-True', NOT],
  ['10.0.0.1', NOT],
  ['1.2e', NOT],
  ['a,b', NOT],
  ["'unterminated", NOT],
  ['', NOT],
  ['  7', 7],
];

for (const [text, value] of cases)
  test(`literal_eval ${JSON.stringify(text)}`, (t) => {
    t.deepEqual(literalEval(text), value);
  });

test('a value nested past the limit throws TooDeep; Python would read it', (t) => {
  t.throws(() => literalEval('['.repeat(70) + ']'.repeat(70), 64), { instanceOf: TooDeep });
  t.deepEqual(literalEval('[[1]]', 64), [[1]]);
});

test('a dict key named __proto__ is an ordinary key', (t) => {
  const v = literalEval("{'__proto__': 1}") as Record<string, unknown>;
  t.deepEqual(Object.keys(v), ['__proto__']);
  t.is(Object.getPrototypeOf(v), Object.prototype);
});
