// Each case under cases/ runs through ansible-playbook and stackplay on the local connection; both must agree.
import test from 'ava';
import { isDeepStrictEqual } from 'node:util';
import pLimit from 'p-limit';
import { ensureAnsible } from '../helpers/ansible-core.js';
import { runAnsible } from './ansible.js';
import { listCases } from './cases.js';
import { EXPECTED_DIFFERENCES } from './expected-differences.js';
import type { Observed } from './observed.js';
import { runStackplay } from './stackplay.js';

const cases = await listCases();
const ansible = ensureAnsible();
// ansible-playbook takes 1-2 s of CPU to start: a small pool keeps the suite quick on a shared machine.
const pool = pLimit(3);

const ASPECTS = ['exit', 'recap', 'debug', 'files'] as const;

/** The aspects where the two runs differ, each with both sides. */
function differences(a: Observed, s: Observed): string[] {
  return ASPECTS.filter((k) => !isDeepStrictEqual(a[k], s[k])).map(
    (k) => `${k}:\n  ansible:   ${JSON.stringify(a[k])}\n  stackplay: ${JSON.stringify(s[k])}`,
  );
}

if ('missing' in ansible) test('differential suite', (t) => t.log(`skipped: ${ansible.missing}`));
for (const c of 'bin' in ansible ? cases : [])
  test(c.name, async (t) => {
    const [a, s] = await Promise.all([pool(() => runAnsible(c)), pool(() => runStackplay(c))]);
    const diff = differences(a, s);
    const expected = EXPECTED_DIFFERENCES[c.name];
    if (expected === undefined) {
      if (diff.length > 0) t.log(`ansible log:\n${a.log}\n\nstackplay log:\n${s.log}`);
      t.deepEqual(diff, [], `stackplay differs from ansible-playbook:\n${diff.join('\n')}`);
    } else {
      t.log(`expected difference: ${expected}`);
      t.not(diff.length, 0, `"${c.name}" now agrees with Ansible: remove it from expected-differences.ts`);
      t.log(diff.join('\n'));
    }
  });

test('every expected difference names a case', (t) => {
  const names = new Set(cases.map((c) => c.name));
  t.deepEqual(
    Object.keys(EXPECTED_DIFFERENCES).filter((n) => !names.has(n)),
    [],
  );
});
