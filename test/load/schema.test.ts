// The playbook JSON Schema accepts good playbooks and rejects what the loader rejects (checked with a small validator).
import test from 'ava';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { playbookJsonSchema } from '../../src/commands/schema.js';
import { testModules } from '../helpers/test-modules.js';
import { checkJsonSchema } from './json-schema-check.js';
import { PLAY_KEYS, TASK_KEYS } from '../../src/load/playbook-keys.js';

const schema = playbookJsonSchema(testModules);
const fixture = (path: string) => parse(readFileSync(`test/fixtures/playbooks/${path}`, 'utf8')) as unknown;
const check = (value: unknown) => checkJsonSchema(schema, value);

test('draft 2020-12, a list of plays, a definition per module', (t) => {
  t.is(schema.$schema, 'https://json-schema.org/draft/2020-12/schema');
  t.is(schema.type, 'array');
  t.deepEqual(
    Object.keys(schema.$defs as object)
      .filter((k) => k.startsWith('module_'))
      .sort(),
    ['module_assert', 'module_command', 'module_copy', 'module_debug', 'module_ping', 'module_service', 'module_users'],
  );
  t.false(JSON.stringify(schema.$defs).includes('"$schema"'));
});

test('the good fixtures validate', (t) => {
  t.deepEqual(check(fixture('good/full.yml')), []);
  t.deepEqual(check(fixture('good/templated.yml')), []);
});

test('blocks, imports, includes, roles and meta validate; a misspelt block key is refused', (t) => {
  const cmd = { command: 'uptime' };
  const full = [
    {
      hosts: 'all',
      vars_files: ['v.yml'],
      environment: { A: '1' },
      pre_tasks: [{ block: [cmd], rescue: [cmd], always: [cmd], when: 'x', check_mode: true, run_once: true }],
      tasks: [
        { import_tasks: 't.yml', tags: ['a'] },
        { include_tasks: { file: 't.yml' }, loop: [1], vars: { a: 1 } },
        { include_role: { name: 'web' }, when: 'y' },
        { meta: 'flush_handlers' },
        { ...cmd, delegate_to: 'localhost', environment: { B: '{{ x }}' } },
      ],
    },
  ];
  t.deepEqual(check(full), []);
  const pb = [{ hosts: 'all', tasks: [{ block: [{ ping: null }], rescue_me: [] }] }];
  t.true(check(pb).some((e) => /unknown key rescue_me/.test(e)));
  const roles = [
    { hosts: 'all', roles: ['web', { role: 'db', when: 'x' }], tasks: [{ import_role: { name: 'web' } }] },
  ];
  t.deepEqual(check(roles), []);
});

const rejected: [string, string, RegExp][] = [
  ['unknown module', 'bad/unknown-module.yml', /unknown key comand/],
  ['unknown task key', 'bad/unknown-task-key.yml', /unknown key regster/],
  ['unknown param key', 'bad/unknown-param-key.yml', /unknown key cmdd/],
  ['param of the wrong type', 'bad/param-type.yml', /copy\/mode: expected string, got integer/],
  ['two modules', 'bad/two-modules.yml', /exactly one alternative/],
  ['no module', 'bad/no-module.yml', /exactly one alternative/],
  ['no hosts', 'bad/no-hosts.yml', /missing hosts/],
  ['tasks not a list', 'bad/tasks-not-list.yml', /\/0\/tasks: matches no alternative/],
  ['bad enum value', 'bad/enum-value.yml', /\/state: matches no alternative/],
  ['unknown play key', 'bad/unknown-play-key.yml', /unknown key gather_fact/],
  ['copy as free form', 'bad/free-form-not-allowed.yml', /\/copy: /],
  ['serial', 'bad/serial-bad.yml', /\/serial: matches no alternative/],
];

for (const [what, file, error] of rejected) {
  test(`rejects ${what}`, (t) => {
    const errors = check(fixture(file));
    t.true(
      errors.some((e) => error.test(e)),
      errors.join('\n'),
    );
  });
}

test('free-form modules take a string, param-less ones nothing', (t) => {
  t.deepEqual(check([{ hosts: 'all', tasks: [{ command: 'uptime' }, { ping: null }] }]), []);
  t.not(check([{ hosts: 'all', tasks: [{ copy: '/etc/motd' }] }]).length, 0);
});

test('templates are accepted where a number or an enum is expected', (t) => {
  t.deepEqual(check([{ hosts: 'all', tasks: [{ users: { list: [{ name: 'a', uid: '{{ uid }}' }] } }] }]), []);
  t.not(check([{ hosts: 'all', tasks: [{ users: { list: [{ name: 'a', uid: 'x' }] } }] }]).length, 0);
});

test('the checker itself rejects a wrong type (so passing tests mean something)', (t) => {
  t.deepEqual(checkJsonSchema({ type: 'string' }, 1), ['/: expected string, got integer']);
});

test('the schema knows every play and task keyword the loader accepts', (t) => {
  const defs = schema.$defs as Record<string, { properties?: Record<string, unknown> }>;
  const props = (name: string) => Object.keys(defs[name]?.properties ?? {});
  const taskDef = Object.keys(defs).find((k) => /^task$/.test(k)) ?? '';
  const playDef = Object.keys(defs).find((k) => /^play$/.test(k)) ?? '';
  t.truthy(taskDef, Object.keys(defs).join(' '));
  for (const key of TASK_KEYS) t.true(props(taskDef).includes(key), `task keyword ${key} is missing from the schema`);
  for (const key of PLAY_KEYS) t.true(props(playDef).includes(key), `play keyword ${key} is missing from the schema`);
});
