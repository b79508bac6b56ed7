// debug: show a message or a variable for each host (runs on the controller).
import { defineModule, z } from '../src/sdk.js';

const doc = `Shows a message (templated like every param) or the value of one variable, per host,
without connecting. The value is also the task's result (msg), for register.

Example:
  - name: where the cluster lives
    debug: { msg: "core at {{ core_ip }}, {{ groups.dea | length }} DEAs" }

  - name: what kato reported
    debug: { var: kato_info.assigned }`;

const params = z
  .strictObject({
    msg: z.unknown().optional().describe('What to show (text, or any value). Default "Hello world!".'),
    var: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*$/, 'var must be a variable name, e.g. result or result.stdout')
      .optional()
      .describe('A variable to show instead, by name (dotted for fields).'),
  })
  .refine((p) => p.msg === undefined || p.var === undefined, { message: 'give msg or var, not both', path: ['var'] });

/** A dotted name looked up in the vars; undefined when any part is missing. */
function lookup(vars: Readonly<Record<string, unknown>>, name: string): { found: boolean; value?: unknown } {
  let cur: unknown = vars;
  for (const key of name.split('.')) {
    if (cur === null || typeof cur !== 'object' || !Object.hasOwn(cur, key)) return { found: false };
    cur = (cur as Record<string, unknown>)[key];
  }
  return { found: true, value: cur };
}

const show = (v: unknown): string => (typeof v === 'string' ? v : (JSON.stringify(v, null, 2) ?? String(v)));

export const debug = defineModule({
  name: 'debug',
  summary: 'Show a message or a variable for each host',
  doc,
  params,
  local: true,
  gather: async (host, p) =>
    p.var === undefined ? { found: true, value: p.msg ?? 'Hello world!' } : lookup(host.vars, p.var),
  plan(v, p) {
    if (p.var === undefined) return { steps: [], data: { msg: v.value } };
    const value = v.found ? v.value : 'VARIABLE IS NOT DEFINED!';
    return { steps: [], data: { msg: `${p.var}: ${show(value)}`, [p.var]: value } };
  },
});
