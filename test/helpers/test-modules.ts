// A small module registry for loader tests, independent of the real modules in modules/.
import { defineModule, z, type Module } from '../../src/sdk.js';

const noop = { gather: async () => ({}), plan: () => ({ steps: [] }) };

export const command = defineModule({
  name: 'command',
  summary: 'run a command',
  freeForm: 'cmd',
  idempotent: false,
  params: z.strictObject({
    cmd: z.string().min(1),
    chdir: z.string().startsWith('/').optional(),
    creates: z.string().optional(),
  }),
  ...noop,
});

export const copy = defineModule({
  name: 'copy',
  summary: 'write a file',
  params: z.strictObject({
    dest: z.string(),
    content: z.string().optional(),
    src: z.string().optional(),
    mode: z.string().optional(),
  }),
  ...noop,
});

export const service = defineModule({
  name: 'service',
  summary: 'a service state',
  params: z.strictObject({
    name: z.string(),
    state: z.enum(['started', 'stopped', 'restarted']),
    enabled: z.boolean().default(true),
  }),
  ...noop,
});

export const users = defineModule({
  name: 'users',
  summary: 'nested params',
  params: z.strictObject({
    list: z.array(z.strictObject({ name: z.string(), uid: z.number().int() })),
    groups: z.union([z.string(), z.array(z.string())]).optional(),
  }),
  ...noop,
});

export const ping = defineModule({ name: 'ping', summary: 'no params', params: z.strictObject({}), ...noop });

export const assert = defineModule({
  name: 'assert',
  summary: 'conditions',
  local: true,
  params: z.strictObject({ that: z.union([z.string(), z.array(z.string())]), fail_msg: z.string().optional() }),
  ...noop,
});

export const debug = defineModule({
  name: 'debug',
  summary: 'print',
  local: true,
  params: z.strictObject({ msg: z.unknown().optional(), var: z.string().optional() }),
  ...noop,
});

export const testModules: ReadonlyMap<string, Module> = new Map(
  ([command, copy, service, users, ping, assert, debug] as Module[]).map((m) => [m.name, m]),
);
