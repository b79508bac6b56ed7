// Every inventory under cases/ through `ansible-inventory --list`, and every pattern of patterns.ts through `ansible PATTERN --list-hosts`; stackplay must agree.
import test from 'ava';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { ensureAnsible } from '../helpers/ansible-core.js';
import { type Job, type PeerResult, runPeer, viaBinary } from './ansible.js';
import { EXPECTED_DIFFERENCES } from './expected-differences.js';
import { PATTERN_CASES } from './patterns.js';
import { type InventoryView, listView, type PatternView, stackplayInventory, stackplayPattern } from './stackplay.js';

const CASES = fileURLToPath(new URL('./cases/', import.meta.url));
const files = readdirSync(CASES).sort();
const inventoryCases = files.map((f) => ({ name: f.replace(/\.[^.]+$/, ''), file: join(CASES, f) }));
const patternCases = PATTERN_CASES.map(([name, inv, pattern]) => ({
  name: `pattern-${name}`,
  file: join(CASES, inv),
  pattern,
}));

const ansible = ensureAnsible();

function ansibleInventory(r: PeerResult): InventoryView {
  if (r.code !== 0 || r.error !== null || !r.list) return { ok: false };
  const view = listView(r.list);
  const types = Object.fromEntries(Object.keys(view.hostvars!).map((h) => [h, r.types?.[h] ?? {}]));
  return { ok: true, ...view, types };
}

const ansiblePattern = (r: PeerResult): PatternView =>
  r.code !== 0 || r.error !== null || !r.hosts ? { ok: false } : { ok: true, hosts: r.hosts };

/** The aspects where the two answers differ, each with both sides. */
function differences(a: object, s: object): string[] {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(s)])];
  return keys
    .filter((k) => !isDeepStrictEqual((a as Record<string, unknown>)[k], (s as Record<string, unknown>)[k]))
    .map(
      (k) =>
        `${k}:\n  ansible:   ${JSON.stringify((a as Record<string, unknown>)[k])}\n  stackplay: ${JSON.stringify((s as Record<string, unknown>)[k])}`,
    );
}

if ('missing' in ansible) test('inventory differential suite', (t) => t.log(`skipped: ${ansible.missing}`));
else {
  const jobs: Job[] = [
    ...inventoryCases.map((c) => ({ kind: 'list' as const, file: c.file })),
    ...patternCases.map((c) => ({ kind: 'hosts' as const, file: c.file, pattern: c.pattern })),
  ];
  // One Python process answers every case: ansible-inventory would take about a second of CPU each.
  const answers = runPeer(jobs);
  const compared = [
    ...inventoryCases.map((c, i) => ({
      name: c.name,
      a: ansibleInventory(answers[i]!),
      s: () => stackplayInventory(c.file),
      log: answers[i]!.stderr + (answers[i]!.error ?? ''),
    })),
    ...patternCases.map((c, i) => ({
      name: c.name,
      a: ansiblePattern(answers[inventoryCases.length + i]!),
      s: () => stackplayPattern(c.file, c.pattern),
      log: `${c.pattern}\n${answers[inventoryCases.length + i]!.stderr}${answers[inventoryCases.length + i]!.error ?? ''}`,
    })),
  ];
  for (const c of compared)
    test(c.name, (t) => {
      const diff = differences(c.a, c.s());
      const expected = EXPECTED_DIFFERENCES[c.name];
      if (expected === undefined) {
        if (diff.length > 0) t.log(`ansible said:\n${c.log}`);
        t.deepEqual(diff, [], `stackplay differs from ansible:\n${diff.join('\n')}`);
      } else {
        t.log(`expected difference: ${expected}\n${diff.join('\n')}`);
        t.not(diff.length, 0, `"${c.name}" now agrees with Ansible: remove it from expected-differences.ts and README`);
      }
    });

  test('the suite is as large as issue 14 asks', (t) => {
    t.true(inventoryCases.length >= 60, `${inventoryCases.length} inventory cases`);
    t.true(patternCases.length >= 30, `${patternCases.length} pattern cases`);
  });

  test('every expected difference names a case', (t) => {
    const names = new Set(compared.map((c) => c.name));
    t.deepEqual(
      Object.keys(EXPECTED_DIFFERENCES).filter((n) => !names.has(n)),
      [],
    );
  });

  // peer.py runs ansible's CLI classes in-process; the binaries themselves must give the same answers.
  test('peer.py answers as ansible-inventory and ansible do', (t) => {
    const probe = [
      inventoryCases.find((c) => c.name === 'ini-order-children')!,
      inventoryCases.find((c) => c.name === 'yaml-brady-kids')!,
    ];
    const pattern = patternCases.find((c) => c.name === 'pattern-union-order')!;
    const sample: Job[] = [
      ...probe.map((c) => ({ kind: 'list' as const, file: c.file })),
      { kind: 'hosts', file: pattern.file, pattern: pattern.pattern },
    ];
    const peer = runPeer(sample);
    sample.forEach((job, i) => {
      const bin = viaBinary(job);
      t.is(bin.code, peer[i]!.code);
      if (job.kind === 'list') t.deepEqual(JSON.parse(bin.stdout), peer[i]!.list);
      else
        t.deepEqual(
          bin.stdout
            .split('\n')
            .filter((l) => l.startsWith('    '))
            .map((l) => l.trim()),
          peer[i]!.hosts,
        );
    });
  });
}
