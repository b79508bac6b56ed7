// Differential: the same Jinja2 expressions rendered by ansible (debug msg, connection local) and by stackplay.
import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureAnsible } from '../../bench/ansible.js';
import { diffCases } from './ansible-cases.js';
import { runAnsible, stackplay } from './ansible-run.js';

const dir = mkdtempSync(join(tmpdir(), 'stackplay-ansible-diff-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

test('at least 40 cases', (t) => t.true(diffCases.length >= 40));

test('ansible and stackplay render every case the same', (t) => {
  const ansible = ensureAnsible(() => {});
  if ('missing' in ansible) {
    t.log(`skipped: ansible-core cannot be installed here (${ansible.missing})`);
    t.pass();
    return;
  }
  const want = runAnsible(join(dir, 'diff.yml'));
  if (typeof want === 'string') return t.fail(want);
  const diffs: string[] = [];
  for (const [name, tpl] of diffCases) {
    const a = want.get(name);
    const s = stackplay(tpl);
    if (!a) {
      diffs.push(`${name}: ansible gave no result`);
      continue;
    }
    const same = a.ok === s.ok && (!a.ok || JSON.stringify(a.value) === JSON.stringify(s.value));
    if (!same) diffs.push(`${name}: ${tpl}\n  ansible:   ${JSON.stringify(a)}\n  stackplay: ${JSON.stringify(s)}`);
  }
  t.log(`${diffCases.length - diffs.length}/${diffCases.length} cases agree (${ansible.version})`);
  t.deepEqual(diffs, []);
});
