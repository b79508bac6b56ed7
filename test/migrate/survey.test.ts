// The survey's verdicts from kato_facts results: who follows the old core, who is elsewhere, who could not be read.
import test from 'ava';
import type { HostState } from '../../src/engine/types.js';
import { classify, coreProblem } from '../../src/migrate/survey.js';
import { REGISTERED } from '../../src/migrate/plays.js';

const host = (name: string, result: Record<string, unknown>): [string, HostState] => [
  name,
  {
    name,
    resolved: { name, vars: {}, groups: [] } as unknown as HostState['resolved'],
    registered: { [REGISTERED.survey]: result },
    notified: new Set(),
    state: 'active',
  },
];
const facts = (ip: string, mbusip: string, roles: string[]) => ({ node_ip: ip, mbusip, roles });

test('classify: attached to the old core (or already the new) follows; a micro cloud or another core is unattached; a failed read is unknown', (t) => {
  const states = new Map([
    host('dea1', facts('10.0.0.16', '10.0.0.11', ['base', 'dea'])),
    host('dea2', facts('10.0.0.17', '10.0.0.50', ['base', 'dea'])),
    host('db1', facts('10.0.0.20', '127.0.0.1', ['base', 'controller', 'primary', 'mysql'])),
    host('other', facts('10.0.0.21', '10.9.0.1', ['base', 'dea'])),
    host('gone', { failed: true, unreachable: true, msg: 'ssh: connection refused' }),
  ]);
  const s = classify(['dea1', 'dea2', 'db1', 'other', 'gone', 'never'], states, '10.0.0.11', '10.0.0.50');
  t.deepEqual([...s.follow.keys()], ['dea1', 'dea2']);
  t.deepEqual(s.follow.get('dea1'), { ip: '10.0.0.16', mbusip: '10.0.0.11', roles: ['base', 'dea'] });
  t.deepEqual(
    [...s.unattached],
    [
      ['db1', '10.0.0.20: a micro cloud attached to no core, with roles base controller primary mysql'],
      ['other', '10.0.0.21: attached to the core at 10.9.0.1'],
    ],
  );
  t.deepEqual(
    [...s.unknown],
    [
      ['gone', 'ssh: connection refused'],
      ['never', 'not surveyed'],
    ],
  );
});

test('coreProblem: the core group host must be the core at the old address, or already moved', (t) => {
  const [, atOld] = host('core1', facts('10.0.0.11', '10.0.0.11', ['base', 'primary', 'controller', 'router']));
  t.is(coreProblem(atOld, '10.0.0.11', '10.0.0.50'), undefined);
  const [, moved] = host('core1', facts('10.0.0.50', '10.0.0.50', ['base', 'primary']));
  t.is(coreProblem(moved, '10.0.0.11', '10.0.0.50'), undefined);
  const [, micro] = host('core1', facts('10.0.0.11', '127.0.0.1', ['base', 'primary']));
  t.regex(coreProblem(micro, '10.0.0.11', '10.0.0.50')!, /not the core at 10\.0\.0\.11: .*mbus ip 127\.0\.0\.1/);
  const [, node] = host('core1', facts('10.0.0.11', '10.0.0.11', ['base', 'dea']));
  t.regex(coreProblem(node, '10.0.0.11', '10.0.0.50')!, /roles base dea/);
});
