// Templates: raw value passthrough, Ansible filters in mustaches, Handlebars helpers, strict undefined errors.
import test from 'ava';
import { renderString, renderValue, templateSyntaxError } from '../../src/template/render.js';
import { TemplateError } from '../../src/template/errors.js';

const vars = {
  n: 3,
  s: 'Hello',
  list: [1, 2],
  obj: { k: 'v', deep: { x: 1 } },
  flag: false,
  nothing: null,
  key: 'k',
  items: [{ name: 'a' }, { name: 'b' }],
  port: '8080',
};
const at = { file: 'site.yml', line: 12, col: 14 };

const cases: [string, unknown][] = [
  ['plain text', 'plain text'],
  ['{{ n }}', 3],
  ['{{n}}', 3],
  ['{{ list }}', [1, 2]],
  ['{{ obj }}', { k: 'v', deep: { x: 1 } }],
  ['{{ flag }}', false],
  ['{{ nothing }}', null],
  ['{{ obj.deep.x }}', 1],
  ['{{ obj[key] }}', 'v'],
  ["{{ obj['k'] }}", 'v'],
  ['{{ list[1] }}', 2],
  ['{{ vars.[key] }}', 'k'],
  ['{{ list | length }}', 2],
  ['{{ port | int + 1 }}', 8081],
  ['n={{ n }}', 'n=3'],
  [' {{ n }}', ' 3'],
  ['{{ n }}{{ n }}', '33'],
  ['{{ list }} and {{ obj.deep }}', '[1,2] and {"x":1}'],
  ['[{{ flag }}] [{{ nothing }}]', '[false] []'],
  ["{{ missing | default('dflt') }}", 'dflt'],
  ['{{ s | upper }}!', 'HELLO!'],
  ["{{ list | join(', ') }}", '1, 2'],
  ["{{ 'on' if n > 2 else 'off' }}", 'on'],
  ["{{ '}}' }}", '}}'],
  ["{{default missing 'x'}}", 'x'],
  ['{{ default n 7 }}', 3],
  ['{{join list "-"}}', '1-2'],
  ['{{upper s}}', 'HELLO'],
  ['{{lower s}}', 'hello'],
  ['{{json obj.deep}}', '{"x":1}'],
  ['{{length list}}', 2],
  ['{{ json list }}', '[1,2]'],
  ['{{#if (eq n 3)}}three{{else}}other{{/if}}', 'three'],
  ['{{#if (ne n 3)}}x{{else}}y{{/if}}', 'y'],
  ['{{#if (gt n 2)}}big{{/if}}', 'big'],
  ['{{#if (and flag n)}}a{{else}}b{{/if}}', 'b'],
  ['{{#unless flag}}u{{/unless}}', 'u'],
  ['{{#each items}}<{{name}}>{{/each}}', '<a><b>'],
  ['{{#each list}}{{this}};{{/each}}', '1;2;'],
  ['{{#each items as |it|}}{{ it.name }}{{@index}}{{/each}}', 'a0b1'],
  ['{{! a comment }}ok', 'ok'],
  ['{{{ s }}}', 'Hello'],
  ['<{{ s }}> & "{{ s }}"', '<Hello> & "Hello"'],
];

for (const [tpl, expected] of cases) {
  test(`render ${JSON.stringify(tpl)}`, (t) => t.deepEqual(renderString(tpl, vars), expected));
}

test('values are not HTML-escaped', (t) => {
  t.is(renderString('{{ v }}', { v: '<a href="x">&amp;</a>' }), '<a href="x">&amp;</a>');
  t.is(renderString('x {{ v }}', { v: "it's <b>" }), "x it's <b>");
});

const undefinedCases: [string, string][] = [
  ['{{ missing }}', 'missing'],
  ['a {{ missing }} b', 'missing'],
  ['{{ obj.nope }}', 'obj.nope'],
  ['{{ obj.deep.nope.x }}', 'obj.deep.nope'],
  ['{{ missing.x }}', 'missing'],
  ['{{ list[5] }}', 'list[5]'],
  ['{{ missing | upper }}', 'missing'],
  ['{{ upper missing }}', 'missing'],
  ['{{ join missing "," }}', 'missing'],
  ['{{ vars.[missing] }}', 'vars.missing'],
  ['{{ vars[key] }}', 'vars.k'],
  ['{{n}} {{ ghost }}', 'ghost'],
];

for (const [tpl, variable] of undefinedCases) {
  test(`undefined ${variable} in ${tpl}`, (t) => {
    const e = t.throws(() => renderString(tpl, vars, at), { instanceOf: TemplateError });
    t.is(e?.code, 'E_TEMPLATE_UNDEFINED');
    t.is(e?.variable, variable);
    t.is(e?.message, `undefined variable "${variable}" in template ${JSON.stringify(tpl)} (at site.yml:12:14)`);
    t.deepEqual(e?.at, at);
  });
}

test('an undefined variable without a source still names the variable', (t) => {
  const e = t.throws(() => renderString('{{ nope }}', {}), { instanceOf: TemplateError });
  t.is(e?.message, 'undefined variable "nope" in template "{{ nope }}"');
});

const syntaxCases: [string, string, RegExp][] = [
  ['{{ x | }}', 'E_TEMPLATE_SYNTAX', /expected a filter name after "\|"/],
  ['{{ x ', 'E_TEMPLATE_SYNTAX', /never closed/],
  ['{{#if n}}open', 'E_TEMPLATE_SYNTAX', /block is not closed/],
  ['{{#if n}}x{{/each}}', 'E_TEMPLATE_SYNTAX', /if doesn't match each/],
  ['{{ x | lenght }}', 'E_TEMPLATE_SYNTAX', /unknown filter "lenght"/],
  ['{{ nohelper n }}', 'E_TEMPLATE_HELPER', /unknown helper "nohelper"/],
  ['{{#if (eqq n 1)}}x{{/if}}', 'E_TEMPLATE_HELPER', /unknown helper "eqq"/],
];

for (const [tpl, code, message] of syntaxCases) {
  test(`syntax error in ${tpl}`, (t) => {
    const e = templateSyntaxError(tpl);
    t.is(e?.code, code);
    t.regex(e?.message ?? '', message);
    const thrown = t.throws(() => renderString(tpl, vars, at), { instanceOf: TemplateError });
    t.is(thrown?.code, code);
    t.deepEqual(thrown?.at, at);
  });
}

test('did-you-mean for a misspelt helper', (t) =>
  t.is(templateSyntaxError('{{#if (eqq n 1)}}x{{/if}}')?.hint, 'did you mean "eq"?'));
test('a good template has no syntax error', (t) =>
  t.is(templateSyntaxError('{{ a | default(1) }} {{upper b}}'), undefined));

test('type errors in expressions', (t) => {
  const e = t.throws(() => renderString('{{ s < 3 }}', vars, at), { instanceOf: TemplateError });
  t.is(e?.code, 'E_TEMPLATE_TYPE');
  t.regex(e?.message ?? '', /cannot compare string "Hello" < number 3 in template/);
});

test('renderValue walks objects and lists, keeping raw values and reporting the span of the bad value', (t) => {
  const value = { cmd: 'echo {{ s }}', ports: '{{ list }}', nested: [{ n: '{{ n }}' }, 5, true, null] };
  t.deepEqual(renderValue(value, vars), { cmd: 'echo Hello', ports: [1, 2], nested: [{ n: 3 }, 5, true, null] });
  const seen: (string | number)[][] = [];
  const spanFor = (path: readonly (string | number)[]) => {
    seen.push([...path]);
    return { file: 'f.yml', line: path.length, col: 1 };
  };
  const e = t.throws(() => renderValue({ a: { b: ['ok', '{{ nope }}'] } }, vars, spanFor), {
    instanceOf: TemplateError,
  });
  t.deepEqual(e?.at, { file: 'f.yml', line: 3, col: 1 });
  t.deepEqual(seen.at(-1), ['a', 'b', 1]);
});

test('the same template renders with different vars (compiled once)', (t) => {
  t.is(renderString('x={{ v }}', { v: 1 }), 'x=1');
  t.is(renderString('x={{ v }}', { v: 2 }), 'x=2');
  t.is(renderString('{{upper v}}', { v: 'a' }), 'A');
  t.is(renderString('{{upper v}}', { v: 'b' }), 'B');
});

test('a variable named vars wins over the magic one', (t) => {
  t.is(renderString('{{ vars.a }}', { vars: { a: 'mine' }, a: 'top' }), 'mine');
  t.is(renderString('{{ vars.a }}', { a: 'top' }), 'top');
});
