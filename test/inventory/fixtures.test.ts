// Every good fixture loads to its expected JSON; every bad one gives exactly its expected diagnostics.
import test from 'ava';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadInventories } from '../../src/inventory/load.js';
import { validateTopology } from '../../src/inventory/topology.js';
import { FIXTURES, formatAll, snapshot } from './helpers.js';

const good = join(FIXTURES, 'good');
const goodFiles = readdirSync(good).filter((f) => /\.(ini|ya?ml)$/.test(f));

test('there are good fixtures in both formats', (t) => {
  t.true(goodFiles.some((f) => f.endsWith('.ini')));
  t.true(goodFiles.some((f) => f.endsWith('.yml')));
});

for (const file of goodFiles) {
  test(`good fixture ${file}`, (t) => {
    const { inventory, diagnostics } = loadInventories([join(good, file)]);
    t.deepEqual(diagnostics, []);
    const expected = JSON.parse(readFileSync(join(good, file.replace(/\.\w+$/, '.json')), 'utf8')) as unknown;
    t.deepEqual(JSON.parse(JSON.stringify(snapshot(inventory))), expected);
    t.deepEqual(validateTopology(inventory), []);
  });
}

const bad = join(FIXTURES, 'bad');
const expectedFiles = readdirSync(bad).filter((f) => f.endsWith('.expected'));

test('there are at least 15 bad fixtures, each with its expected output', (t) => {
  t.true(expectedFiles.length >= 15);
  const inputs = readdirSync(bad).filter((f) => !f.endsWith('.expected'));
  for (const f of inputs)
    t.true(expectedFiles.includes(f.replace(/\.\w+$/, '.expected')), `${f} has no .expected file`);
});

for (const exp of expectedFiles) {
  const name = exp.replace(/\.expected$/, '');
  test(`bad fixture ${name}`, (t) => {
    // A fixture with no input file stands for a missing -i file.
    const input =
      ['.ini', '.yml', '.yaml'].map((e) => join(bad, name + e)).find((f) => existsSync(f)) ?? join(bad, `${name}.ini`);
    const { inventory, diagnostics } = loadInventories([input]);
    // As the CLI does: the topology is checked only once the files load cleanly.
    const all = diagnostics.some((d) => d.severity === 'error')
      ? diagnostics
      : [...diagnostics, ...validateTopology(inventory)];
    t.true(
      all.some((d) => d.severity === 'error'),
      'a bad fixture must give at least one error',
    );
    t.is(formatAll(all), readFileSync(join(bad, exp), 'utf8').trimEnd());
  });
}
