// lineinfile: planning from explicit facts (content, msg, attrs, refusals) and convergence of the planned write.
import test from 'ava';
import type { Plan } from '../../src/sdk.js';
import { lineinfile } from '../../modules/lineinfile.js';
import { afterPlan, fileFacts } from './edit-facts.js';
import type { EditFacts } from '../../modules/common/edit.js';

const plan = (f: EditFacts, params: Record<string, unknown>): Plan =>
  lineinfile.plan(f, lineinfile.params.parse(params));
const written = (p: Plan): string | undefined => p.steps.find((s) => s.kind === 'write')?.content as string | undefined;

/** Plans, checks the new content and msg, then re-plans on the result: nothing left to do. */
function edits(title: string, before: string | null, params: Record<string, unknown>, after: string, msg: string) {
  test(`lineinfile: ${title}`, (t) => {
    const f = fileFacts(before);
    const first = plan(f, { path: '/etc/x.conf', ...params });
    t.is(first.fail, undefined);
    t.is(written(first), after);
    t.is(first.data?.msg, msg);
    const again = plan(afterPlan(f, first), { path: '/etc/x.conf', ...params });
    t.deepEqual(again.steps, [], 'converged');
    t.is(again.data?.msg, '');
  });
}

edits('appends a missing line at EOF', 'a\nb\n', { line: 'c' }, 'a\nb\nc\n', 'line added');
edits('a file without a final newline gets one before the new line', 'a\nb', { line: 'c' }, 'a\nb\nc\n', 'line added');
edits(
  'regexp replaces the last matching line',
  'port=1\nx\nport=2\n',
  { regexp: '^port=', line: 'port=9' },
  'port=1\nx\nport=9\n',
  'line replaced',
);
edits(
  'firstmatch replaces the first',
  'port=1\nx\nport=2\n',
  { regexp: '^port=', line: 'port=9', firstmatch: true },
  'port=9\nx\nport=2\n',
  'line replaced',
);
edits(
  'CRLF: the matched line is rewritten with \\n',
  'a\r\nport=1\r\n',
  { regexp: '^port=', line: 'port=2' },
  'a\r\nport=2\n',
  'line replaced',
);
edits(
  'CRLF: $ does not match before \\r\\n (Python), so the line is added',
  'port=1\r\n',
  { regexp: '^port=1$', line: 'port=2' },
  'port=1\r\nport=2\n',
  'line added',
);
edits('CRLF: an equal line still gets \\n, as in Ansible', 'a\r\nb\r\n', { line: 'b' }, 'a\r\nb\n', 'line replaced');
edits('insertafter a regexp', 'a\nb\nc\n', { line: 'X', insertafter: '^b' }, 'a\nb\nX\nc\n', 'line added');
edits('insertbefore a regexp', 'a\nb\nc\n', { line: 'X', insertbefore: '^b' }, 'a\nX\nb\nc\n', 'line added');
edits('insertbefore BOF', 'a\n', { line: 'X', insertbefore: 'BOF' }, 'X\na\n', 'line added');
edits(
  'backrefs expands groups',
  'listen 80\n',
  { regexp: '^listen (\\d+)$', line: 'listen \\1 ssl', backrefs: true },
  'listen 80 ssl\n',
  'line replaced',
);
edits(
  'search_string replaces the line holding it',
  'a\nfoo=1\n',
  { search_string: 'foo=', line: 'foo=2' },
  'a\nfoo=2\n',
  'line replaced',
);
edits(
  'state: absent removes every match',
  'a\n#x\nb\n#y\n',
  { regexp: '^#', state: 'absent' },
  'a\nb\n',
  '2 line(s) removed',
);
edits('create: a missing file is made with the line', null, { line: 'first', create: true }, 'first\n', 'line added');

test('lineinfile: the line already there: nothing to do, empty msg', (t) => {
  const p = plan(fileFacts('a\nb\n'), { path: '/etc/x', line: 'a' });
  t.deepEqual(p.steps, []);
  t.is(p.data?.msg, '');
});

test('lineinfile: backrefs without a match adds nothing', (t) => {
  const p = plan(fileFacts('a\n'), { path: '/etc/x', regexp: '^b(.)', line: '\\1', backrefs: true });
  t.deepEqual(p.steps, []);
});

test('lineinfile: a mode change only is a change with Ansible msg', (t) => {
  const p = plan(fileFacts('a\n', { mode: '0600' }), { path: '/etc/x', line: 'a', mode: '0644' });
  t.deepEqual(
    p.steps.map((s) => s.title),
    ['~ mode: 0600 -> 0644'],
  );
  t.is(p.data?.msg, 'ownership, perms or SE linux context changed');
  const both = plan(fileFacts('a\n', { owner: 'x' }), { path: '/etc/x', line: 'b', owner: 'root' });
  t.is(both.data?.msg, 'line added and ownership, perms or SE linux context changed');
});

test('lineinfile: missing file, a folder, absent on a missing file', (t) => {
  t.is(plan(fileFacts(null), { path: '/etc/x', line: 'a' }).fail, 'Destination /etc/x does not exist !');
  const dir = {
    ...fileFacts(''),
    stat: { exists: true as const, type: 'directory' as const, mode: '0755', owner: 'root', group: 'root', size: 0 },
  };
  t.is(plan(dir, { path: '/etc', line: 'a' }).fail, 'Path /etc is a directory !');
  const gone = plan(fileFacts(null), { path: '/etc/x', line: 'a', state: 'absent' });
  t.deepEqual(gone.steps, []);
  t.is(gone.data?.msg, 'file not present');
});

test('lineinfile: create in a missing folder makes the folder first; backup copies before writing', (t) => {
  const p = plan(fileFacts(null, { parentExists: false }), { path: '/srv/new/x', line: 'a', create: true });
  t.deepEqual(
    p.steps.map((s) => s.title),
    ['create folder /srv/new', 'create /srv/new/x'],
  );
  const b = plan(fileFacts('a\n'), { path: '/etc/x', line: 'b', backup: true });
  const cp = b.steps[0];
  t.is(cp?.kind === 'exec' ? cp.cmd.text : '', 'cp -p -- /etc/x /etc/x.$$.$(date +%Y-%m-%d@%H:%M:%S)~');
});

test('lineinfile: params as Ansible checks them, at load time', (t) => {
  const bad = (p: Record<string, unknown>, re: RegExp) => {
    const r = lineinfile.params.safeParse(p);
    t.false(r.success, JSON.stringify(p));
    if (!r.success) t.regex(r.error.issues.map((i) => i.message).join('; '), re);
  };
  bad({ line: 'a' }, /path is required/);
  bad({ path: '/x' }, /line is required with state: present/);
  bad({ path: '/x', state: 'absent' }, /one of line, search_string or regexp/);
  bad({ path: '/x', line: 'a', insertafter: 'a', insertbefore: 'b' }, /mutually exclusive/);
  bad({ path: '/x', line: 'a', regexp: 'a', search_string: 'b' }, /mutually exclusive/);
  bad({ path: '/x', line: 'a', backrefs: true }, /regexp is required with backrefs/);
  bad({ path: '/x', line: 'a', regexp: '(' }, /not a valid regular expression/);
  bad({ path: 'x', line: 'a' }, /absolute path/);
  const ok = lineinfile.params.parse({ dest: '/x', line: 8080, regex: 'p' });
  t.like(ok, { path: '/x', line: '8080', regexp: 'p' });
});

test('lineinfile: through a symbolic link the resolved file is written', (t) => {
  const f = { ...fileFacts('a\n'), realPath: '/srv/real.conf' };
  const p = plan(f, { path: '/etc/x.conf', line: 'b' });
  t.deepEqual(
    p.steps.map((s) => s.title),
    ['update /srv/real.conf', 'keep owner root:root'],
  );
});
