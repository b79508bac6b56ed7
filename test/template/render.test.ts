// Templates (Jinja2): raw value passthrough, Ansible's text forms, blocks, strict undefined errors, syntax errors.
import test from 'ava';
import { markData, renderFile, renderString, renderValue, templateSyntaxError } from '../../src/template/render.js';
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
  ["{{ vars['key'] }}", 'k'],
  ['{{ list | length }}', 2],
  ['{{ port | int + 1 }}', 8081],
  ['n={{ n }}', 'n=3'],
  [' {{ n }}', ' 3'],
  ['{{ n }}{{ n }}', '33'],
  ["{{ list }} and {{ obj.deep }} and {{ ['a'] }}", "[1, 2] and {'x': 1} and ['a']"],
  ['[{{ flag }}] [{{ nothing }}] [{{ n > 1 }}]', '[False] [] [True]'],
  ["{{ missing | default('dflt') }}", 'dflt'],
  ['{{ s | upper }}!', 'HELLO!'],
  ["{{ list | join(', ') }}", '1, 2'],
  ["{{ 'on' if n > 2 else 'off' }}", 'on'],
  ["{{ '}}' }}", '}}'],
  ['{% if n == 3 %}three{% else %}other{% endif %}', 'three'],
  ['{% if flag %}x{% elif n > 2 %}big{% endif %}', 'big'],
  ['{% if list %}non-empty{% endif %}{% if [] %}empty{% endif %}', 'non-empty'],
  ['{% for it in items %}<{{ it.name }}>{% endfor %}', '<a><b>'],
  ['{% for x in list %}{{ loop.index }}:{{ x }};{% endfor %}', '1:1;2:2;'],
  ['{% for k, v in obj.deep.items() %}{{ k }}={{ v }}{% endfor %}', 'x=1'],
  ['{% set y = n * 2 %}{{ y }}', '6'],
  ['{# a comment #}ok', 'ok'],
  ['{%- if true -%}  trimmed  {%- endif -%}', 'trimmed'],
  ['<{{ s }}> & "{{ s }}"', '<Hello> & "Hello"'],
  ['{{ omit }}', '__omit_place_holder__stackplay'],
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
  ["{{ missing | join(',') }}", 'missing'],
  ['{{ vars.missing }}', 'vars.missing'],
  ['{{ vars[key] }}', 'vars.k'],
  ['{{ obj.k }}x{{ vars[s] }}', 'vars.Hello'],
  ['{{n}} {{ ghost }}', 'ghost'],
  ['{% if ghost %}x{% endif %}', 'ghost'],
  ['{% for x in ghost %}x{% endfor %}', 'ghost'],
  ['{{ missing | mandatory }}', 'missing'],
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
  ['{{ x | }}', 'E_TEMPLATE_SYNTAX', /expected a name \(a filter or a test\), found "\}\}"/],
  ['{{ x ', 'E_TEMPLATE_SYNTAX', /expected "\}\}"/],
  ['{% if n %}open', 'E_TEMPLATE_SYNTAX', /expected elif, else, or endif/],
  ['{% if n %}x{% endfor %}', 'E_TEMPLATE_SYNTAX', /endfor/],
  ['{{ x | lenght }}', 'E_TEMPLATE_SYNTAX', /unknown filter "lenght"/],
  ['{{ x is defind }}', 'E_TEMPLATE_SYNTAX', /unknown test "defind"/],
  [`{{ ${'['.repeat(5000)} }}`, 'E_TEMPLATE_SYNTAX', /nested deeper than 100 levels/],
];

for (const [tpl, code, message] of syntaxCases) {
  test(`syntax error in ${tpl.slice(0, 40)}`, (t) => {
    const e = templateSyntaxError(tpl);
    t.is(e?.code, code);
    t.regex(e?.message ?? '', message);
    const thrown = t.throws(() => renderString(tpl, vars, at), { instanceOf: TemplateError });
    t.is(thrown?.code, code);
    t.deepEqual(thrown?.at, at);
  });
}

test('did-you-mean for a misspelt filter', (t) =>
  t.is(templateSyntaxError('{{ x | uper }}')?.hint, 'did you mean "upper"?'));
test('a good template has no syntax error', (t) =>
  t.is(templateSyntaxError('{{ a | default(1) }} {% for x in b %}{{ x | upper }}{% endfor %}'), undefined));

test('type errors in expressions', (t) => {
  const e = t.throws(() => renderString('{{ s < 3 }}', vars, at), { instanceOf: TemplateError });
  t.is(e?.code, 'E_TEMPLATE_TYPE');
  t.regex(e?.message ?? '', /cannot compare str "Hello" < int 3 in template/);
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
  t.is(renderString('{{ v | upper }}', { v: 'a' }), 'A');
  t.is(renderString('{{ v | upper }}', { v: 'b' }), 'B');
});

test('a variable named vars wins over the magic one', (t) => {
  t.is(renderString('{{ vars.a }}', { vars: { a: 'mine' }, a: 'top' }), 'mine');
  t.is(renderString('{{ vars.a }}', { a: 'top' }), 'top');
});

test('data is never code: a registered value holding a template stays text', (t) => {
  const vars = markData({ api_note: 'secret-ish', out: { stdout: '{{ api_note | upper }}' } }, ['out']);
  t.is(renderString('{{ out.stdout }}', vars), '{{ api_note | upper }}');
  t.is(renderString('got: {{ out.stdout }}', vars), 'got: {{ api_note | upper }}');
  t.deepEqual(renderValue({ a: ['{{ out }}'] }, vars), { a: [{ stdout: '{{ api_note | upper }}' }] });
});

test('play vars that hold templates render when used, once, and a cycle is an error', (t) => {
  t.is(renderString('{{ url }}', { host: 'h1', url: 'http://{{ host }}/' }), 'http://h1/');
  t.is(renderString('{{ cfg.url }}', { host: 'h1', cfg: { url: 'http://{{ host }}/' } }), 'http://h1/');
  const e = t.throws(() => renderString('{{ a }}', { a: '{{ b }}', b: '{{ a }}' }), { instanceOf: TemplateError });
  t.regex(e?.message ?? '', /refers to itself/);
});

test('no template helper prints, and nothing reaches the prototype', (t) => {
  t.is(templateSyntaxError('{{ x | log }}')?.code, 'E_TEMPLATE_SYNTAX');
  t.is(
    t.throws(() => renderString("{{ ''.constructor.constructor('return process')() }}", {}), {
      instanceOf: TemplateError,
    })?.code,
    'E_TEMPLATE_UNDEFINED',
  );
  t.is(renderString('{{ x.__proto__ is defined }}', { x: {} }), false);
});

test('a .j2 file renders with errors at file:line:col', (t) => {
  t.is(
    renderFile('a\n{% for r in rs %}server {{ r }}\n{% endfor %}', { rs: ['x', 'y'] }, 'up.j2'),
    'a\nserver x\nserver y\n',
  );
  const e = t.throws(() => renderFile('line1\nline2 {{ nope }}', {}, 'up.j2'), { instanceOf: TemplateError });
  t.is(e?.code, 'E_TEMPLATE_UNDEFINED');
  t.deepEqual(e?.at, { file: 'up.j2', line: 2, col: 10 });
  const s = t.throws(() => renderFile('ok\n{% if %}', {}, 'bad.j2'), { instanceOf: TemplateError });
  t.is(s?.code, 'E_TEMPLATE_SYNTAX');
  t.is(s?.at?.line, 2);
});
