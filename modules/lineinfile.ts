// lineinfile: make sure one line is in a file (or is not), placed and matched as Ansible's lineinfile does.
import { defineModule, z, type Plan } from '../src/sdk.js';
import { checkPath, editParams, gatherEdit, planEdit, withPath, type Edit, type EditFacts } from './common/edit.js';
import { pyExpand, pyRegex } from './common/pyregex.js';

const doc = `Ansible's lineinfile. With state: present, \`line\` replaces the last line that \`regexp\`
(a Python regular expression) or \`search_string\` (a plain substring) matches; when nothing
matches, or neither is given and the exact line is not there yet, the line is added after the last
line matching \`insertafter\` (or before the one matching \`insertbefore\`; BOF and EOF name the
file's ends; default EOF). With backrefs: true, \\1 or \\g<name> in \`line\` take the regexp's
groups, and nothing is added when the regexp does not match. With state: absent, every line
matching regexp, search_string or equal to line is removed.

Lines are split at \\n; a line of a CRLF file compares without its \\r, and a replaced or added
line ends in \\n, as in Ansible. The result's msg is Ansible's: "line added", "line replaced",
"N line(s) removed", with " and ownership, perms or SE linux context changed" when mode, owner
or group were fixed too.

Example:
  - name: kato sees the cluster's DNS server
    lineinfile:
      path: /etc/resolv.conf
      regexp: '^nameserver '
      line: nameserver 10.0.0.2
      insertbefore: BOF

  - name: no password logins
    lineinfile: { path: /etc/ssh/sshd_config, regexp: '^#?PasswordAuthentication', line: PasswordAuthentication no }`;

const text = z.union([z.string(), z.number()]).transform(String);

const params = z
  .strictObject({
    ...editParams,
    line: text
      .optional()
      .describe('The line to have in the file (state: present); with state: absent, the line to remove.'),
    regexp: z.string().optional().describe('Python regular expression: the line to replace, or the lines to remove.'),
    regex: z.string().optional().describe('Alias of regexp.'),
    search_string: z.string().optional().describe('A plain substring instead of regexp.'),
    state: z.enum(['present', 'absent']).default('present').describe('Whether the line should be there.'),
    insertafter: z.string().optional().describe('Add after the last line matching this regexp, or EOF / BOF.'),
    insertbefore: z.string().optional().describe('Add before the last line matching this regexp, or BOF.'),
    backrefs: z.boolean().default(false).describe('Expand \\1 / \\g<name> of regexp in line; never add a line.'),
    firstmatch: z.boolean().default(false).describe('Use the first matching line instead of the last.'),
  })
  .superRefine((p, ctx) => {
    checkPath(p, ctx);
    const issue = (key: string, message: string) => ctx.addIssue({ code: 'custom', message, path: [key] });
    const regexp = p.regexp ?? p.regex;
    if (p.regexp !== undefined && p.regex !== undefined) issue('regex', 'give regexp once, not as regexp and regex');
    if (p.insertafter !== undefined && p.insertbefore !== undefined)
      issue('insertbefore', 'insertafter and insertbefore are mutually exclusive');
    if (regexp !== undefined && p.search_string !== undefined)
      issue('search_string', 'regexp and search_string are mutually exclusive');
    if (p.backrefs && p.search_string !== undefined)
      issue('backrefs', 'backrefs and search_string are mutually exclusive');
    if (p.state === 'present' && p.backrefs && regexp === undefined)
      issue('regexp', 'regexp is required with backrefs: true');
    if (p.state === 'present' && p.line === undefined) issue('line', 'line is required with state: present');
    if (p.state === 'absent' && regexp === undefined && p.search_string === undefined && p.line === undefined)
      issue('line', 'one of line, search_string or regexp is required with state: absent');
    for (const [key, value] of [
      ['regexp', regexp],
      ['insertafter', p.insertafter === 'EOF' || p.insertafter === 'BOF' ? undefined : p.insertafter],
      ['insertbefore', p.insertbefore === 'BOF' ? undefined : p.insertbefore],
    ] as const) {
      if (value === undefined) continue;
      try {
        pyRegex(value, key);
      } catch (e) {
        issue(key, (e as Error).message);
      }
    }
  })
  .transform((p) => {
    const { regex, ...rest } = withPath(p);
    return { ...rest, regexp: p.regexp ?? regex };
  });

type Params = z.output<typeof params>;

/** Python's readlines() on bytes: split after each \n, the last line may lack one. */
const readlines = (s: string): string[] => (s === '' ? [] : s.split(/(?<=\n)/));
const stripEol = (s: string): string => s.replace(/[\r\n]+$/, '');
const endsInEol = (s: string): boolean => s.endsWith('\n') || s.endsWith('\r');

/** Ansible's present(): where the line goes, ported step by step (lineinfile.py of ansible-core 2.14). */
function present(lines: string[], p: Params): { changed: boolean; msg: string } {
  const line = p.line!;
  const after = p.insertbefore === undefined && p.insertafter === undefined ? 'EOF' : p.insertafter;
  const before = p.insertbefore;
  const re = p.regexp !== undefined ? pyRegex(p.regexp).re : undefined;
  const ins =
    after !== undefined && after !== 'BOF' && after !== 'EOF'
      ? pyRegex(after).re
      : before !== undefined && before !== 'BOF'
        ? pyRegex(before).re
        : undefined;
  let found = -1;
  let at = -1;
  let match: RegExpExecArray | boolean | null = null;
  let exact = false;
  for (const [i, cur] of lines.entries()) {
    const m = re ? re.exec(cur) : p.search_string !== undefined && cur.includes(p.search_string);
    if (!m) continue;
    found = i;
    match = m;
    if (p.firstmatch) break;
  }
  if (!match) {
    for (const [i, cur] of lines.entries()) {
      if (line === stripEol(cur)) {
        found = i;
        exact = true;
      } else if (ins?.test(cur)) {
        at = after ? i + 1 : i;
        if (p.firstmatch) break;
      }
    }
  }
  const added = { changed: true, msg: 'line added' };
  const same = { changed: false, msg: '' };
  if (found !== -1) {
    let next = p.backrefs && match && match !== true ? pyExpand(match, line) : line;
    if (!next.endsWith('\n')) next += '\n';
    if (p.regexp === undefined && p.search_string === undefined && !match && !exact) {
      if (after && after !== 'EOF') {
        if (lines.length && !endsInEol(lines.at(-1)!)) lines[lines.length - 1] += '\n';
        if (lines.length === at) {
          if (stripEol(lines[at - 1]!) === line) return same;
          lines.push(`${line}\n`);
          return added;
        }
        if (stripEol(lines[at]!) === line) return same;
        lines.splice(at, 0, `${line}\n`);
        return added;
      }
      if (before && before !== 'BOF') {
        const neighbour = at <= 0 ? lines.at(at) : lines[at - 1];
        if (neighbour !== undefined && stripEol(neighbour) === line) return same;
        lines.splice(at, 0, `${line}\n`);
        return added;
      }
      return same;
    }
    if (lines[found] === next) return same;
    lines[found] = next;
    return { changed: true, msg: 'line replaced' };
  }
  if (p.backrefs) return same;
  if (before === 'BOF' || after === 'BOF') {
    lines.unshift(`${line}\n`);
    return added;
  }
  if (after === 'EOF' || at === -1) {
    if (lines.length && !endsInEol(lines.at(-1)!)) lines.push('\n');
    lines.push(`${line}\n`);
    return added;
  }
  if (after && lines.length === at) {
    if (stripEol(lines[at - 1]!) === line) return same;
    lines.push(`${line}\n`);
    return added;
  }
  if (after && stripEol(lines[at]!) === line) return same;
  lines.splice(at, 0, `${line}\n`);
  return added;
}

/** Ansible's absent(): every matching line goes. */
function absent(lines: string[], p: Params): { kept: string[]; removed: number } {
  const re = p.regexp !== undefined ? pyRegex(p.regexp).re : undefined;
  const matches = (cur: string): boolean =>
    re ? re.test(cur) : p.search_string !== undefined ? cur.includes(p.search_string) : p.line === stripEol(cur);
  const kept = lines.filter((l) => !matches(l));
  return { kept, removed: lines.length - kept.length };
}

function edit(f: EditFacts, p: Params): Edit {
  const lines = readlines(f.current ?? '');
  if (p.state === 'absent') {
    const { kept, removed } = absent(lines, p);
    return {
      content: kept.join(''),
      changed: removed > 0,
      msg: removed ? `${removed} line(s) removed` : '',
      data: { found: removed },
    };
  }
  const { changed, msg } = present(lines, p);
  return { content: lines.join(''), changed, msg };
}

export const lineinfile = defineModule({
  name: 'lineinfile',
  summary: 'Make sure a line is in a file (or is not), replacing the line a regexp matches',
  doc,
  params,
  gather: (host, p) => gatherEdit(host, p.path),
  plan(f, p): Plan {
    if (f.stat.exists && f.stat.type === 'directory') return { steps: [], fail: `Path ${p.path} is a directory !` };
    if (!f.stat.exists && p.state === 'absent')
      return { steps: [], note: 'file not present', data: { msg: 'file not present' } };
    if (!f.stat.exists && !p.create)
      return { steps: [], fail: `Destination ${p.path} does not exist !`, data: { rc: 257 } };
    return planEdit(f, p, edit(f, p));
  },
});
