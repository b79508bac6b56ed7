// assert: fail the host unless conditions on its variables hold (runs on the controller).
import { defineModule, z } from '../src/sdk.js';

const doc = `Checks Ansible-style conditions against the host's variables, on the controller (no
connection). The first condition that is false fails the host, with fail_msg and the condition.

Example:
  - name: one core, and the cluster has a name
    assert:
      that:
        - groups.core | length == 1
        - cluster_name is defined
      fail_msg: the inventory must name exactly one core and set cluster_name`;

const params = z.strictObject({
  that: z
    .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
    .transform((v) => (Array.isArray(v) ? v : [v]))
    .describe('A condition or a list of conditions, all of which must hold.'),
  fail_msg: z.string().optional().describe('Message when a condition is false (the condition is added).'),
  msg: z.string().optional().describe("Same as fail_msg (Ansible's older name)."),
  success_msg: z.string().optional().describe('Message when every condition holds.'),
  quiet: z.boolean().default(false).describe('Say nothing when every condition holds.'),
});

type Outcome = { that: string; ok: boolean } | { that: string; error: string };

export const assert = defineModule({
  name: 'assert',
  summary: 'Fail the host unless conditions on its variables hold',
  doc,
  params,
  local: true,
  async gather(host, p): Promise<Outcome[]> {
    const outcomes: Outcome[] = [];
    for (const that of p.that) {
      let outcome: Outcome;
      try {
        outcome = { that, ok: host.test(that) };
      } catch (e) {
        outcome = { that, error: (e as Error).message };
      }
      outcomes.push(outcome);
      // Like Ansible, stop at the first condition that does not hold.
      if (!('ok' in outcome && outcome.ok)) break;
    }
    return outcomes;
  },
  plan(outcomes, p) {
    const bad = outcomes.find((o) => !('ok' in o) || !o.ok);
    if (bad && 'error' in bad)
      return {
        steps: [],
        fail: `cannot evaluate condition "${bad.that}": ${bad.error}`,
        data: { assertion: bad.that },
      };
    if (bad) {
      const msg = p.fail_msg ?? p.msg;
      return {
        steps: [],
        fail: msg ? `${msg} (failed: ${bad.that})` : `assertion failed: ${bad.that}`,
        data: { assertion: bad.that, evaluated_to: false },
      };
    }
    if (p.quiet) return { steps: [] };
    const msg = p.success_msg ?? 'all assertions passed';
    return { steps: [], note: msg, data: { msg } };
  },
});
