// `stackplay schema`: a JSON Schema of playbooks for editors, each module's params from its zod schema.
import { BECOME_METHODS } from '../privilege.js';
import { z } from 'zod';
import type { Module } from '../sdk.js';
import { META_ACTIONS, ORDERS, STRATEGIES } from '../load/playbook-keys.js';

type Json = Record<string, unknown>;

const template: Json = { type: 'string', pattern: '\\{\\{', description: 'a template, checked after rendering' };
const str: Json = { type: 'string' };
// Ansible's truthiness (src/privilege.ts truthOf), any case.
const bool: Json = {
  anyOf: [
    { type: 'boolean' },
    { enum: [0, 1] },
    {
      type: 'string',
      pattern: '^([yY]([eE][sS])?|[nN][oO]?|[oO][nN]|[oO][fF][fF]|[tT]([rR][uU][eE])?|[fF]([aA][lL][sS][eE])?|1|0)$',
    },
  ],
};
const count: Json = { type: 'integer', minimum: 0 };
const strings: Json = { anyOf: [str, { type: 'array', items: str }] };
const conditions: Json = {
  anyOf: [str, { type: 'boolean' }, { type: 'array', items: { anyOf: [str, { type: 'boolean' }] } }],
};
const mapping: Json = { type: 'object' };
const environment: Json = { type: 'object', propertyNames: { pattern: '^[A-Za-z_][A-Za-z0-9_]*$' } };

const isPlainString = (s: Json) =>
  s.type === 'string' && Object.keys(s).every((k) => k === 'type' || k === 'description');

/**
 * Values may be templates, which only rendering can type-check: every constrained schema node
 * also accepts a string holding `{{`.
 */
function allowTemplates(s: unknown): unknown {
  if (Array.isArray(s)) return s.map(allowTemplates);
  if (!s || typeof s !== 'object') return s;
  const out: Json = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === 'properties' && v && typeof v === 'object')
      out[k] = Object.fromEntries(Object.entries(v).map(([p, ps]) => [p, allowTemplates(ps)]));
    else if (['items', 'additionalProperties', 'anyOf', 'oneOf', 'allOf', 'prefixItems'].includes(k))
      out[k] = allowTemplates(v);
    else out[k] = v;
  }
  if (!('type' in out || 'enum' in out || 'const' in out) || isPlainString(out)) return out;
  const { description, ...rest } = out;
  return description === undefined ? { anyOf: [rest, template] } : { description, anyOf: [rest, template] };
}

function paramsSchema(m: Module): Json {
  let params: Json;
  try {
    params = z.toJSONSchema(m.params, { io: 'input', unrepresentable: 'any' }) as Json;
  } catch {
    params = { type: 'object' };
  }
  delete params.$schema;
  const described: Json = { ...(allowTemplates(params) as Json), description: m.summary };
  const acceptsNothing = m.params.safeParse({}).success;
  const forms: Json[] = [described];
  if (m.freeForm) forms.push({ type: 'string', description: `${m.freeForm} (free form)` });
  if (acceptsNothing) forms.push({ type: 'null' });
  return forms.length === 1 ? described : { description: m.summary, anyOf: forms };
}

function taskSchema(modules: ReadonlyMap<string, Module>, handler: boolean): Json {
  const properties: Json = {
    name: str,
    when: conditions,
    changed_when: conditions,
    failed_when: conditions,
    until: conditions,
    loop: { anyOf: [{ type: 'array' }, template] },
    with_items: { anyOf: [{ type: 'array' }, template] },
    with_dict: { anyOf: [{ type: 'object' }, template] },
    loop_control: {
      type: 'object',
      properties: {
        loop_var: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$' },
        index_var: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$' },
        label: {},
      },
      additionalProperties: false,
    },
    register: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$' },
    notify: strings,
    tags: strings,
    ignore_errors: bool,
    retries: count,
    delay: count,
    timeout: count,
    become: bool,
    become_user: str,
    become_method: { enum: [...BECOME_METHODS] },
    no_log: bool,
    vars: mapping,
    args: mapping,
    environment,
    check_mode: bool,
    run_once: bool,
    delegate_to: str,
    ...(handler ? { listen: strings } : {}),
  };
  for (const name of modules.keys()) properties[name] = { $ref: `#/$defs/module_${name}` };
  return {
    type: 'object',
    properties,
    additionalProperties: false,
    oneOf: [...modules.keys()].map((name) => ({ required: [name] })),
  };
}

/** What blocks, imports and includes pass down to their tasks. */
const inherited: Json = {
  when: conditions,
  tags: strings,
  become: bool,
  become_user: str,
  ignore_errors: bool,
  no_log: bool,
  vars: mapping,
  environment,
  check_mode: bool,
  run_once: bool,
  delegate_to: str,
};

const taskList: Json = { type: 'array', items: { $ref: '#/$defs/task_item' } };
const fileName: Json = {
  anyOf: [str, { type: 'object', properties: { file: str }, required: ['file'], additionalProperties: false }],
};
const loop: Json = { anyOf: [{ type: 'array' }, template] };
const roleName: Json = {
  anyOf: [str, { type: 'object', properties: { name: str }, required: ['name'], additionalProperties: false }],
};

/** What an include_tasks / include_role takes for itself. */
const includeOwn: Json = {
  when: conditions,
  tags: strings,
  vars: mapping,
  loop,
  with_items: loop,
  loop_control: { type: 'object' },
};

/** The other items of a task list: block, import_tasks, include_tasks and meta, told apart by their key. */
const itemDefs: Json = {
  block: {
    type: 'object',
    required: ['block'],
    additionalProperties: false,
    properties: { name: str, block: taskList, rescue: taskList, always: taskList, ...inherited },
  },
  import_tasks: {
    type: 'object',
    additionalProperties: false,
    properties: { name: str, import_tasks: fileName, ...inherited },
  },
  include_tasks: {
    type: 'object',
    additionalProperties: false,
    properties: { name: str, include_tasks: fileName, ...includeOwn },
  },
  import_role: {
    type: 'object',
    additionalProperties: false,
    properties: { name: str, import_role: roleName, ...inherited },
  },
  include_role: {
    type: 'object',
    additionalProperties: false,
    properties: { name: str, include_role: roleName, ...includeOwn },
  },
  meta: {
    type: 'object',
    additionalProperties: false,
    properties: { name: str, meta: { enum: [...META_ACTIONS] }, when: conditions, tags: strings },
  },
};

const byKey = (keys: string[]): Json => {
  const [k, ...rest] = keys;
  if (!k) return { $ref: '#/$defs/task' };
  // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then/else, not a promise
  return { if: { type: 'object', required: [k] }, then: { $ref: `#/$defs/${k}` }, else: byKey(rest) };
};

/** The JSON Schema (draft 2020-12) of a playbook: a list of plays. */
export function playbookJsonSchema(modules: ReadonlyMap<string, Module>): Json {
  const serialItem = {
    anyOf: [
      { type: 'integer', minimum: 1 },
      { type: 'string', pattern: '^\\s*\\d+(\\.\\d+)?\\s*%\\s*$' },
    ],
  };
  const tasks = { anyOf: [taskList, { type: 'null' }] };
  const play: Json = {
    type: 'object',
    required: ['hosts'],
    additionalProperties: false,
    properties: {
      name: str,
      hosts: strings,
      vars: mapping,
      vars_files: strings,
      roles: {
        type: 'array',
        items: { anyOf: [str, { type: 'object', properties: { role: str, name: str, ...inherited } }] },
      },
      serial: { anyOf: [serialItem, { type: 'array', items: serialItem, minItems: 1 }] },
      max_fail_percentage: { type: 'integer', minimum: 0, maximum: 100 },
      any_errors_fatal: bool,
      order: { enum: [...ORDERS] },
      strategy: { enum: [...STRATEGIES] },
      become: bool,
      become_user: str,
      become_method: { enum: [...BECOME_METHODS] },
      gather_facts: bool,
      tags: strings,
      environment,
      pre_tasks: tasks,
      tasks,
      post_tasks: tasks,
      handlers: { anyOf: [{ type: 'array', items: { $ref: '#/$defs/handler' } }, { type: 'null' }] },
    },
  };
  const $defs: Json = {
    play,
    task_item: byKey(['block', 'import_tasks', 'include_tasks', 'import_role', 'include_role', 'meta']),
    task: taskSchema(modules, false),
    handler: taskSchema(modules, true),
    ...itemDefs,
  };
  for (const m of modules.values()) $defs[`module_${m.name}`] = paramsSchema(m);
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'stackplay playbook',
    description: 'A list of plays; each play targets inventory hosts and runs tasks, one module per task.',
    type: 'array',
    items: { $ref: '#/$defs/play' },
    $defs,
  };
}
