// Python regular expressions and replacement templates on RegExp: the places where the two differ.
import test from 'ava';
import { pyExpand, pyRegex } from '../../modules/common/pyregex.js';

const search = (pattern: string, text: string) => pyRegex(pattern).re.test(text);

test('$ matches at the end and before a final \\n only; (?m) before every \\n', (t) => {
  t.true(search('b$', 'a\nb\n'));
  t.false(search('a$', 'a\nb\n'));
  t.false(search('a$', 'a\r\n'));
  t.true(search('(?m)a$', 'a\nb\n'));
  t.true(search('(?m)^b', 'a\nb\n'));
  t.false(search('^b', 'a\nb\n'));
});

test('. matches \\r but not \\n (unless (?s)); \\A \\Z; named groups; comments; flags', (t) => {
  t.true(search('^a.$', 'a\r\n'));
  t.false(search('a.b', 'a\nb'));
  t.true(search('(?s)a.b', 'a\nb'));
  t.true(search('\\Aa', 'ab'));
  t.false(search('a\\Z', 'a\n'));
  t.true(search('(?P<x>a)(?P=x)', 'aa'));
  t.true(search('a(?#note)b', 'ab'));
  t.true(search('(?i)ABC', 'abc'));
  t.true(search('[$.]', '$'));
  t.throws(() => pyRegex('(?x) a'), { message: /verbose/ });
  t.throws(() => pyRegex('('), { message: /not a valid regular expression/ });
});

test('expand: \\1, \\g<name>, escapes, unmatched groups are empty', (t) => {
  const m = pyRegex('(?P<k>\\w+)=(\\d+)?').re.exec('port=')!;
  t.is(pyExpand(m, '\\g<k>:\\2\\t\\\\'), 'port:\t\\');
  t.is(pyExpand(m, '\\1'), 'port');
  t.throws(() => pyExpand(m, '\\5'), { message: /invalid group reference/ });
  t.throws(() => pyExpand(m, '\\q'), { message: /bad escape/ });
});
