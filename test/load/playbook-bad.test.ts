// Every bad playbook in test/fixtures/playbooks/bad/ gives exactly the diagnostics in its .expected file.
import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import { formatDiagnostic } from '../../src/errors.js';
import { loadPlaybook } from '../../src/load/playbook.js';
import { testModules } from '../helpers/test-modules.js';

const dir = 'test/fixtures/playbooks/bad';
const names = readdirSync(dir)
  .filter((f) => f.endsWith('.expected'))
  .map((f) => f.slice(0, -'.expected'.length))
  .sort();

test('there are at least 20 bad playbooks, each with its expectation', (t) => {
  t.true(names.length >= 20);
  const ymls = readdirSync(dir)
    .filter((f) => f.endsWith('.yml'))
    .map((f) => f.slice(0, -4));
  t.deepEqual(
    ymls.filter((y) => !names.includes(y)),
    [],
  );
});

for (const name of names) {
  test(`bad playbook: ${name}`, (t) => {
    const { playbook, diagnostics } = loadPlaybook(`${dir}/${name}.yml`, testModules);
    t.is(playbook, undefined);
    t.true(diagnostics.length > 0);
    const got = `${diagnostics.map((d) => formatDiagnostic(d)).join('\n')}\n`;
    t.is(got, readFileSync(`${dir}/${name}.expected`, 'utf8'));
    for (const d of diagnostics) {
      t.regex(d.code, /^E_[A-Z_]+$/);
      t.is(d.at?.file, `${dir}/${name}.yml`);
    }
  });
}
