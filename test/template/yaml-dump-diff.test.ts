// Differential: to_yaml, to_nice_yaml and from_yaml in stackplay against ansible-core's own filter functions (one python process).
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { renderString } from '../../src/template/render.js';
import { yamlDocs, yamlKwargCases, yamlValues } from './yaml-corpus.js';

const PYTHON = '/usr/bin/python3';
const SCRIPT = `
import json, sys
from ansible.plugins.filter.core import to_yaml, to_nice_yaml, from_yaml, to_json
filters = {'to_yaml': to_yaml, 'to_nice_yaml': to_nice_yaml, 'from_yaml': lambda s: to_json(from_yaml(s))}
out = []
for name, value, kw in json.load(sys.stdin):
    try:
        out.append({'ok': True, 'text': filters[name](value, **kw)})
    except Exception as e:
        out.append({'ok': False, 'text': str(e)})
print(json.dumps(out))
`;

type Check = [label: string, filter: string, value: unknown, kw: Record<string, unknown>];
const checks: Check[] = [
  ...yamlValues.flatMap(([name, v]): Check[] => [
    [`${name} | to_yaml`, 'to_yaml', v, {}],
    [`${name} | to_nice_yaml`, 'to_nice_yaml', v, {}],
  ]),
  ...yamlKwargCases.map(([name, f, v, kw]): Check => [name, f, v, kw]),
  ...yamlDocs.map((doc): Check => [`${JSON.stringify(doc)} | from_yaml`, 'from_yaml', doc, {}]),
];

/** The filter as a playbook calls it: `{{ v | to_yaml(indent=4) }}`; from_yaml's value is shown through to_json. */
function stackplay(filter: string, value: unknown, kw: Record<string, unknown>): { ok: boolean; text: string } {
  if (filter === 'from_yaml') filter = 'from_yaml | to_json';
  const args = Object.keys(kw)
    .map((k) => `${k}=kw.${k}`)
    .join(', ');
  try {
    return { ok: true, text: String(renderString(`{{ v | ${filter}${args ? `(${args})` : ''} }}`, { v: value, kw })) };
  } catch (e) {
    return { ok: false, text: (e as Error).message };
  }
}

/** Differences listed in README "Differences from Ansible": asserted to still differ, so a fix shows up here. */
const KNOWN: Record<string, string> = {
  '"n: =" | from_yaml':
    "a lone `=` reads as the string '=', as playbooks load it (src/load/yaml-schema.ts); PyYAML refuses it",
};

test('the corpus covers at least 40 values', (t) => t.true(yamlValues.length >= 40));

test('to_yaml and to_nice_yaml write exactly what ansible-core writes, from_yaml reads what it reads', (t) => {
  const probe = spawnSync(PYTHON, ['-c', 'import ansible.plugins.filter.core'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    t.log(
      `skipped: ansible's filters are not importable by ${PYTHON} (${(probe.stderr || String(probe.error)).trim()})`,
    );
    t.pass();
    return;
  }
  // values pass through JSON both ways, so both sides see the same ints, floats and strings
  const input = JSON.stringify(checks.map(([, f, v, kw]) => [f, v, kw]));
  const r = spawnSync(PYTHON, ['-c', SCRIPT], { input, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) return t.fail(`python exited ${r.status}: ${r.stderr.slice(-800)}`);
  const want = JSON.parse(r.stdout) as { ok: boolean; text: string }[];
  const diffs: string[] = [];
  checks.forEach(([label, f, v, kw], i) => {
    const a = want[i]!;
    const s = stackplay(f, JSON.parse(JSON.stringify(v)), kw);
    const same = a.ok === s.ok && (!a.ok || a.text === s.text);
    if (label in KNOWN) {
      if (same) diffs.push(`${label} now agrees: remove it from KNOWN and from README`);
      return;
    }
    if (!same) diffs.push(`${label}\n  ansible:   ${JSON.stringify(a)}\n  stackplay: ${JSON.stringify(s)}`);
  });
  const known = Object.keys(KNOWN).length;
  t.log(`${checks.length - known - diffs.length}/${checks.length} checks agree, ${known} known difference(s)`);
  t.deepEqual(diffs, []);
});
