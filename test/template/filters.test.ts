// Every filter and test of the differential table against the values ansible-core 2.14 gave (recorded in ansible-expected.json).
import test from 'ava';
import { readFileSync } from 'node:fs';
import { diffCases } from './ansible-cases.js';
import { stackplay } from './ansible-run.js';

const recorded = JSON.parse(readFileSync(new URL('./ansible-expected.json', import.meta.url), 'utf8')) as Record<
  string,
  { value?: unknown; error?: true }
>;

for (const [name, tpl] of diffCases) {
  test(`${name}: ${tpl}`, (t) => {
    const want = recorded[name];
    if (!want) return t.fail(`no recorded ansible result for ${name}: rerun the recording`);
    const got = stackplay(tpl);
    if (want.error) return t.false(got.ok, `ansible failed on ${tpl}, stackplay gave ${JSON.stringify(got.value)}`);
    t.true(got.ok, String(got.value));
    t.deepEqual(got.value, want.value);
  });
}
