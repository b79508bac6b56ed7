// blockinfile: make sure a block of lines between two marker lines is in a file (or is not), as Ansible's blockinfile.
import { defineModule, z, type Plan } from '../src/sdk.js';
import { checkPath, editParams, gatherEdit, planEdit, withPath, type Edit, type EditFacts } from './common/edit.js';
import { pyRegex } from './common/pyregex.js';

const doc = `Ansible's blockinfile. The block sits between two marker lines, \`marker\` with {mark}
replaced by marker_begin and marker_end ("# BEGIN ANSIBLE MANAGED BLOCK" ... "# END ANSIBLE
MANAGED BLOCK" by default), so a later run finds and replaces it. A new block goes after the last
line matching \`insertafter\` (a Python regular expression, or EOF, the default) or before the last
line matching \`insertbefore\` (or BOF). With state: absent, or an empty block, the markers and
the block are removed. A pattern starting with (?m) is matched against the whole file.

msg as Ansible's: "Block inserted", "Block removed", "File created", with " and ownership, perms
or SE linux context changed" when mode, owner or group were fixed too.

Example:
  - name: the cluster's hosts
    blockinfile:
      path: /etc/hosts
      marker: "# {mark} stackplay cluster hosts"
      block: |
        10.0.0.10 core
        10.0.0.11 dea-1`;

const params = z
  .strictObject({
    ...editParams,
    block: z.string().optional().describe('The lines between the markers (default empty: the block is removed).'),
    content: z.string().optional().describe('Alias of block.'),
    marker: z
      .string()
      .default('# {mark} ANSIBLE MANAGED BLOCK')
      .describe('The marker line template; {mark} becomes marker_begin or marker_end.'),
    marker_begin: z.string().default('BEGIN').describe('{mark} of the first marker line.'),
    marker_end: z.string().default('END').describe('{mark} of the last marker line.'),
    state: z.enum(['present', 'absent']).default('present').describe('Whether the block should be there.'),
    insertafter: z.string().optional().describe('A new block goes after the last line matching this regexp, or EOF.'),
    insertbefore: z.string().optional().describe('A new block goes before the last line matching this regexp, or BOF.'),
  })
  .superRefine((p, ctx) => {
    checkPath(p, ctx);
    const issue = (key: string, message: string) => ctx.addIssue({ code: 'custom', message, path: [key] });
    if (p.block !== undefined && p.content !== undefined) issue('content', 'give block once, not as block and content');
    if (p.insertafter !== undefined && p.insertbefore !== undefined)
      issue('insertbefore', 'insertafter and insertbefore are mutually exclusive');
    const pattern = p.insertafter !== undefined && p.insertafter !== 'EOF' ? p.insertafter : p.insertbefore;
    if (pattern !== undefined && pattern !== 'BOF') {
      try {
        pyRegex(pattern, p.insertafter !== undefined ? 'insertafter' : 'insertbefore');
      } catch (e) {
        issue(p.insertafter !== undefined ? 'insertafter' : 'insertbefore', (e as Error).message);
      }
    }
  })
  .transform((p) => {
    const { content, ...rest } = withPath(p);
    return { ...rest, block: p.block ?? content ?? '' };
  });

type Params = z.output<typeof params>;

/** Python's splitlines(True) on bytes: \n, \r\n and a lone \r end a line. */
const splitlines = (s: string): string[] => s.match(/[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$/g) ?? [];

/** Where a new block goes when there are no markers yet (blockinfile.py of ansible-core 2.14). */
function insertionPoint(lines: string[], original: string | null, p: Params): number {
  const after = p.insertbefore === undefined && p.insertafter === undefined ? 'EOF' : p.insertafter;
  const pattern =
    after !== undefined && after !== 'EOF' ? after : p.insertbefore !== 'BOF' ? p.insertbefore : undefined;
  if (pattern === undefined) return p.insertbefore !== undefined ? 0 : lines.length;
  const { re, multiline } = pyRegex(pattern);
  let at: number | undefined;
  if (multiline) {
    const m = re.exec(original ?? '');
    if (m) {
      const end = after !== undefined ? m.index + m[0].length : m.index;
      at = (original ?? '').slice(0, end).split('\n').length - 1;
    }
  } else {
    for (const [i, line] of lines.entries()) if (re.test(line)) at = i;
  }
  if (at === undefined) return lines.length;
  return after !== undefined ? at + 1 : at;
}

function edit(f: EditFacts, p: Params): Edit {
  const original = f.current;
  const lines = original === null ? [] : splitlines(original);
  const present = p.state === 'present';
  const begin = `${p.marker.replaceAll('{mark}', p.marker_begin)}\n`;
  const end = `${p.marker.replaceAll('{mark}', p.marker_end)}\n`;
  let blocklines: string[] = [];
  if (present && p.block) {
    const block = p.block.endsWith('\n') ? p.block : `${p.block}\n`;
    blocklines = [begin, ...splitlines(block), end];
  }
  let n0: number | undefined;
  let n1: number | undefined;
  for (const [i, line] of lines.entries()) {
    if (line === begin) n0 = i;
    if (line === end) n1 = i;
  }
  if (n0 === undefined || n1 === undefined) n0 = insertionPoint(lines, original, p);
  else if (n0 < n1) lines.splice(n0, n1 - n0 + 1);
  else {
    lines.splice(n1, n0 - n1 + 1);
    n0 = n1;
  }
  if (n0 > 0 && !lines[n0 - 1]!.endsWith('\n')) lines[n0 - 1] += '\n';
  lines.splice(n0, 0, ...blocklines);
  const content = lines.join('');
  if (original === content) return { content, changed: false, msg: '' };
  if (original === null) return { content, changed: true, msg: 'File created' };
  return { content, changed: true, msg: blocklines.length ? 'Block inserted' : 'Block removed' };
}

export const blockinfile = defineModule({
  name: 'blockinfile',
  summary: 'Make sure a marked block of lines is in a file (or is not)',
  doc,
  params,
  gather: (host, p) => gatherEdit(host, p.path),
  plan(f, p): Plan {
    if (f.stat.exists && f.stat.type === 'directory') return { steps: [], fail: `Path ${p.path} is a directory !` };
    if (!f.stat.exists && !p.create) return { steps: [], fail: `Path ${p.path} does not exist !`, data: { rc: 257 } };
    if (!f.stat.exists && p.state === 'absent') {
      const msg = `File ${p.path} not present`;
      return { steps: [], note: msg, data: { msg } };
    }
    return planEdit(f, p, edit(f, p));
  },
});
