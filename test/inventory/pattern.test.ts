// Host patterns as Ansible reads them: names, globs, regexes, unions, intersections, exclusions, subscripts.
import test from 'ava';
import { checkLimit, selectHosts, splitPattern } from '../../src/inventory/pattern.js';
import { globMatcher } from '../../src/inventory/glob.js';
import { loadText } from './helpers.js';

const { inventory } = loadText(`
lone
[web]
web1
web2
web10
[db]
db1
db2
[prod:children]
web
db
[staging]
web2
stage-db
`);
// Ansible's order for all: the groups level by level (ungrouped, prod, staging, then prod's children).
const ALL = ['lone', 'web2', 'stage-db', 'web1', 'web10', 'db1', 'db2'];

// Each answer is what `ansible PATTERN --list-hosts` (ansible-core 2.14) gave for this inventory, in its order.
const cases: Array<[string, string[]]> = [
  ['all', ALL],
  ['*', ALL],
  ['', ALL],
  ['web', ['web1', 'web2', 'web10']],
  ['web1', ['web1']],
  ['prod', ['web1', 'web2', 'web10', 'db1', 'db2']],
  ['ungrouped', ['lone']],
  ['web*', ['web1', 'web2', 'web10']],
  ['web?', ['web1', 'web2']],
  ['*db*', ['db1', 'db2', 'stage-db']],
  // A number in brackets at the end is a subscript (as in Ansible), not a character class.
  ['db[12]', []],
  ['web[12]*', ['web1', 'web2', 'web10']],
  ['db[!1]', ['db2']],
  ['web[!1]*', ['web2']],
  ['~web\\d$', ['web1', 'web2']],
  ['~(web|db)1', ['web1', 'web10', 'db1']],
  ['~st', ['web2', 'stage-db']],
  ['web:db', ['web1', 'web2', 'web10', 'db1', 'db2']],
  ['db,web', ['db1', 'db2', 'web1', 'web2', 'web10']],
  ['db1:web1:db1', ['db1', 'web1']],
  ['prod:!db', ['web1', 'web2', 'web10']],
  ['prod:&staging', ['web2']],
  ['!staging:prod', ['web1', 'web10', 'db1', 'db2']],
  ['&staging:prod:!web2', []],
  ['web:&staging:db:!db1', ['web2']],
  ['!web', ['lone', 'stage-db', 'db1', 'db2']],
  ['&prod', ['web2', 'web1', 'web10', 'db1', 'db2']],
  ['prod , !web', ['db1', 'db2']],
  ['web[0]', ['web1']],
  ['web[-1]', ['web10']],
  ['web[1:]', ['web2', 'web10']],
  ['web[0:1]', ['web1', 'web2']],
  ['prod[1:3]:db[0]', ['web2', 'web10', 'db1']],
  ['web[7]', []],
  ['nothing*', []],
  ['~zzz', []],
];

for (const [pattern, hosts] of cases) {
  test(`pattern ${JSON.stringify(pattern)}`, (t) => {
    const r = selectHosts(inventory, pattern);
    // Where a term matches nothing or a subscript is out of range, Ansible warns and so does stackplay; no errors.
    t.deepEqual(
      r.diagnostics.filter((d) => d.severity !== 'warning'),
      [],
    );
    if (hosts.length) t.deepEqual(r.diagnostics, []);
    t.deepEqual(r.hosts, hosts);
  });
}

test('an unknown bare name selects nothing and warns with a suggestion', (t) => {
  const r = selectHosts(inventory, 'web:dbb');
  t.deepEqual(r.hosts, ['web1', 'web2', 'web10']);
  t.is(r.diagnostics.length, 1);
  t.like(r.diagnostics[0], { severity: 'warning', code: 'E_PATTERN_NO_MATCH', hint: 'did you mean "db"?' });
  t.regex(r.diagnostics[0]!.message, /"dbb"/);
});

test('an unknown name in an exclusion also warns', (t) => {
  const r = selectHosts(inventory, 'all:!stagign');
  t.deepEqual(r.hosts, ALL);
  t.like(r.diagnostics[0], { code: 'E_PATTERN_NO_MATCH', hint: 'did you mean "staging"?' });
});

test('a bad regular expression is an error', (t) => {
  const r = selectHosts(inventory, '~web(');
  t.deepEqual(r.hosts, []);
  t.like(r.diagnostics[0], { severity: 'error', code: 'E_PATTERN' });
});

test('splitting keeps brackets and IPv6 addresses whole', (t) => {
  t.deepEqual(splitPattern('web[0:2]:db'), ['web[0:2]', 'db']);
  t.deepEqual(splitPattern('2001:db8::1'), ['2001:db8::1']);
  t.deepEqual(splitPattern(' a , b:c '), ['a', 'b:c']);
});

test('globs match in time bounded by name x glob length: 20 stars against a long near-miss name', (t) => {
  const glob = `${'a*'.repeat(20)}b`;
  const name = 'a'.repeat(200);
  const steps = { count: 0 };
  t.false(globMatcher(glob, { steps })(name));
  // A backtracking regex for this glob explores about C(200, 20) paths; the matcher stays within its bound.
  t.true(steps.count <= (name.length + 1) * (glob.length + 1), `${steps.count} steps`);
  t.true(globMatcher('web[0-9]?')('web1x'));
  t.false(globMatcher('web[!0-9]*')('web1'));
  t.true(globMatcher('W*', { caseless: true })('web'));
  t.true(globMatcher('*')(''));
  t.true(globMatcher('a*b*c')('axxbyyc'));
  t.false(globMatcher('a*b*c')('axxbyy'));
});

test('a limit that matches nothing, or a bad limit regex, is an error naming it', (t) => {
  t.like(checkLimit(inventory, 'nosuch')[0], { severity: 'error', code: 'E_LIMIT_NO_MATCH' });
  t.regex(checkLimit(inventory, 'nosuch')[0]!.message, /--limit "nosuch": no hosts matched/);
  t.like(checkLimit(inventory, '~[')[0], { severity: 'error', code: 'E_PATTERN', at: { file: '--limit' } });
  t.deepEqual(checkLimit(inventory, 'web*'), []);
  t.like(checkLimit(inventory, 'web:&nothing*')[0], { code: 'E_LIMIT_NO_MATCH' });
});
