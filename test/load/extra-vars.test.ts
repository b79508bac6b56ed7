// -e parsing: key=value words, @file.yml and inline JSON, with positioned diagnostics.
import test from 'ava';
import { formatDiagnostic } from '../../src/errors.js';
import { parseExtraVars } from '../../src/load/extra-vars.js';

const dir = 'test/fixtures/playbooks/vars';
const formatted = (args: string[]) => parseExtraVars(args).diagnostics.map((d) => formatDiagnostic(d));

test('key=value words are strings; quotes group words', (t) => {
  const r = parseExtraVars(['a=1 b="x y" c=\'q r\' d=', 'e=has=equals f=a\\ b g="say \\"hi\\""']);
  t.deepEqual(r.diagnostics, []);
  t.deepEqual(r.vars, { a: '1', b: 'x y', c: 'q r', d: '', e: 'has=equals', f: 'a b', g: 'say "hi"' });
});

test('later -e values win', (t) => {
  t.deepEqual(parseExtraVars(['a=1 b=2', '{"b": 3}', 'a=4']).vars, { a: '4', b: 3 });
});

test('inline JSON keeps types', (t) => {
  const r = parseExtraVars(['{"remove": ["10.0.0.7", "10.0.0.8"], "n": 2, "flag": true, "o": {"k": null}}']);
  t.deepEqual(r.diagnostics, []);
  t.deepEqual(r.vars, { remove: ['10.0.0.7', '10.0.0.8'], n: 2, flag: true, o: { k: null } });
});

test('@file.yml is a YAML mapping', (t) => {
  const r = parseExtraVars([`@${dir}/good.yml`]);
  t.deepEqual(r.diagnostics, []);
  t.deepEqual(r.vars, {
    cluster_fqdn: 'example.test',
    nodes: ['10.0.0.1', '10.0.0.2'],
    port: 8080,
    nested: { a: { b: true } },
  });
});

test('a __proto__ key cannot change the result object', (t) => {
  const r = parseExtraVars(['{"__proto__": {"polluted": 1}, "a": 1}']);
  t.is((r.vars as { polluted?: number }).polluted, undefined);
  t.is(Object.getPrototypeOf(r.vars), Object.prototype);
});

test('errors name the place: YAML syntax in a file', (t) => {
  const [d, ...rest] = formatted([`@${dir}/bad.yml`]);
  t.regex(d!, new RegExp(`^error\\[E_YAML_SYNTAX\\] YAML syntax error: .*\n  --> ${dir}/bad.yml:3:1\n`));
  t.deepEqual(rest, []);
});

test('errors: a file that is a list, a missing file, nothing after @', (t) => {
  t.deepEqual(formatted([`@${dir}/list.yml`, `@${dir}/nope.yml`, '@']), [
    `error[E_EXTRA_VARS] ${dir}/list.yml: extra vars must be a mapping of names to values\n  --> ${dir}/list.yml:1:1\n  hint: use -e key=value, -e @vars.yml or -e '{"key": "value"}'`,
    `error[E_FILE] cannot read ${dir}/nope.yml: no such file\n  --> ${dir}/nope.yml:1:1\n  hint: check the path given on the command line`,
    `error[E_EXTRA_VARS] -e @: no file named after "@"\n  hint: use -e key=value, -e @vars.yml or -e '{"key": "value"}'`,
  ]);
});

test('errors: bad JSON, a JSON list, words without =, bad names, unclosed quotes', (t) => {
  const [json, list, word, name, quote, empty] = formatted(['{"a": 1,', '[1]', 'a=1 oops', '1x=2', 'a="open', '  ']);
  t.regex(json!, /^error\[E_YAML_SYNTAX\] .*\n {2}--> -e #1:1:/);
  t.is(
    list,
    `error[E_EXTRA_VARS] -e #2: extra vars must be a mapping of names to values\n  --> -e #2:1:1\n  hint: use -e key=value, -e @vars.yml or -e '{"key": "value"}'`,
  );
  t.is(
    word,
    `error[E_EXTRA_VARS] -e oops: expected key=value\n  --> -e #3:1:5\n  hint: use -e key=value, -e @vars.yml or -e '{"key": "value"}'`,
  );
  t.is(
    name,
    'error[E_EXTRA_VARS] -e 1x=2: "1x" is not a variable name\n  --> -e #4:1:1\n  hint: names use letters, digits and _, and do not start with a digit',
  );
  t.is(
    quote,
    'error[E_EXTRA_VARS] -e a="open: unclosed quote\n  --> -e #5:1:3\n  hint: close the quote, and quote the whole -e value for your shell',
  );
  t.regex(empty!, /^error\[E_EXTRA_VARS\] -e #6: empty value/);
});

test('no -e at all', (t) => t.deepEqual(parseExtraVars([]), { vars: {}, origins: {}, diagnostics: [] }));

test('origins name the -e that set each var last', (t) =>
  t.deepEqual(parseExtraVars(['a=1 b=2', '{"b": 3}']).origins, { a: '-e #1', b: '-e #2' }));
