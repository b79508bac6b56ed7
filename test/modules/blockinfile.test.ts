// blockinfile: planning from explicit facts (markers, placement, removal, refusals) and convergence of the planned write.
import test from 'ava';
import type { Plan } from '../../src/sdk.js';
import { blockinfile } from '../../modules/blockinfile.js';
import type { EditFacts } from '../../modules/common/edit.js';
import { afterPlan, fileFacts } from './edit-facts.js';

const plan = (f: EditFacts, params: Record<string, unknown>): Plan =>
  blockinfile.plan(f, blockinfile.params.parse({ path: '/etc/hosts', ...params }));
const written = (p: Plan) => p.steps.find((s) => s.kind === 'write')?.content;
const B = '# BEGIN ANSIBLE MANAGED BLOCK\n';
const E = '# END ANSIBLE MANAGED BLOCK\n';

function edits(title: string, before: string | null, params: Record<string, unknown>, after: string, msg: string) {
  test(`blockinfile: ${title}`, (t) => {
    const f = fileFacts(before);
    const first = plan(f, params);
    t.is(first.fail, undefined);
    t.is(written(first), after);
    t.is(first.data?.msg, msg);
    const again = plan(afterPlan(f, first), params);
    t.deepEqual(again.steps, [], 'converged');
  });
}

edits('a new block goes at EOF', 'a\n', { block: 'x\ny' }, `a\n${B}x\ny\n${E}`, 'Block inserted');
edits('a file without a final newline', 'a', { block: 'x' }, `a\n${B}x\n${E}`, 'Block inserted');
edits(
  'an existing block is replaced in place',
  `a\n${B}old\n${E}b\n`,
  { block: 'new\n' },
  `a\n${B}new\n${E}b\n`,
  'Block inserted',
);
edits('insertbefore BOF', 'a\n', { block: 'x', insertbefore: 'BOF' }, `${B}x\n${E}a\n`, 'Block inserted');
edits(
  'insertafter the last matching line',
  'a\nb\na\nc\n',
  { block: 'x', insertafter: '^a' },
  `a\nb\na\n${B}x\n${E}c\n`,
  'Block inserted',
);
edits('insertbefore a regexp', 'a\nb\n', { block: 'x', insertbefore: '^b' }, `a\n${B}x\n${E}b\n`, 'Block inserted');
edits(
  'a (?m) pattern is searched in the whole file',
  'a\nb\nc\n',
  { block: 'x', insertafter: '(?m)^b$' },
  `a\nb\n${B}x\n${E}c\n`,
  'Block inserted',
);
edits(
  'custom markers',
  'a\n',
  { block: 'x', marker: '## {mark} sp', marker_begin: 'start', marker_end: 'stop' },
  'a\n## start sp\nx\n## stop sp\n',
  'Block inserted',
);
edits('state: absent removes markers and block', `a\n${B}x\n${E}b\n`, { state: 'absent' }, 'a\nb\n', 'Block removed');
edits('an empty block removes it too', `a\n${B}x\n${E}`, { block: '' }, 'a\n', 'Block removed');
edits('create: a missing file is made', null, { block: 'x', create: true }, `${B}x\n${E}`, 'File created');

test('blockinfile: refusals and no-ops as in Ansible', (t) => {
  t.is(plan(fileFacts(null), { block: 'x' }).fail, 'Path /etc/hosts does not exist !');
  t.is(plan(fileFacts(null), { state: 'absent' }).fail, 'Path /etc/hosts does not exist !');
  const gone = plan(fileFacts(null), { state: 'absent', create: true });
  t.deepEqual(gone.steps, []);
  t.is(gone.data?.msg, 'File /etc/hosts not present');
  const same = plan(fileFacts(`${B}x\n${E}`), { block: 'x' });
  t.deepEqual(same.steps, []);
  t.is(same.data?.msg, '');
  t.false(blockinfile.params.safeParse({ path: '/x', insertafter: 'a', insertbefore: 'b' }).success);
  t.like(blockinfile.params.parse({ dest: '/x', content: 'c' }), { path: '/x', block: 'c' });
});
