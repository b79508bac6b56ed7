// The file_stat_content fact: stat and content from one probe, content kept byte for byte.
import test from 'ava';
import { fileStatContent } from '../../modules/facts/files.js';

const SUM = `${'a'.repeat(64)}  /etc/motd`;
const parse = (stdout: string, code = 0) => fileStatContent.parse({ code, stdout, stderr: '' }, '/etc/motd');

test('a regular file: stat, checksum and the exact content, trailing newlines included', (t) => {
  const r = parse(`regular file|644|root|root|7\n${SUM}\nhi\n\nyo\n\n`);
  t.like(r.stat, { exists: true, type: 'file', mode: '0644', owner: 'root', sha256: 'a'.repeat(64) });
  t.is(r.content, 'hi\n\nyo\n\n');
});

test('content without a final newline and an empty file', (t) => {
  t.is(parse(`regular file|600|root|root|2\n${SUM}\nno-newline`).content, 'no-newline');
  t.is(parse(`regular empty file|644|root|root|0\n${SUM}\n`).content, '');
});

test('absent, link and folder have no content', (t) => {
  t.deepEqual(parse('absent\n'), { stat: { exists: false }, content: null, leftovers: [] });
  t.like(parse('symbolic link|777|root|root|9\n/etc/issue\n'), {
    stat: { type: 'link', target: '/etc/issue' },
    content: null,
  });
  t.like(parse('directory|755|root|root|4096\n'), { stat: { type: 'directory' }, content: null });
});

test('a failed probe or a file without its checksum line is an error', (t) => {
  t.throws(() => parse('', 1), { message: /probe exited 1/ });
  t.throws(() => parse('regular file|644|root|root|7\n'), { message: /no checksum/ });
});
