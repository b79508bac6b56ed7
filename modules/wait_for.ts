// wait_for: wait until a port answers (or stops answering) or a path appears (or goes away).
import { defineModule, exec, raw, readOnly, sh, z, type HostView } from '../src/sdk.js';
import { pathExists } from './facts/files.js';
import { portOpen } from './facts/net.js';

const doc = `Waits, on the host, until a TCP port accepts connections (state: started, the default
with port) or refuses them (stopped), or until a path exists (present, the default with path)
or is gone (absent). The host checks once while planning: when the condition already holds
there is nothing to do. Otherwise one step polls every \`sleep\` seconds, after \`delay\`
seconds, and fails when \`timeout\` seconds pass. The port is probed from the host itself
(bash's /dev/tcp), so \`host\` may be another machine as the host sees it.

Example:
  - name: wait for the core's cloud controller
    wait_for: { port: 9022, timeout: 600 }

  - name: wait for the router of another node
    wait_for: { host: "{{ core_ip }}", port: 80, sleep: 5 }

  - name: wait until kato has released its lock
    wait_for: { path: /var/stackato/.kato.lock, state: absent }`;

const seconds = (what: string) =>
  z
    .number({
      error: (iss) =>
        iss.code === 'invalid_type' && iss.input !== undefined ? `${what} must be a number of seconds` : undefined,
    })
    .int()
    .min(0, `${what} cannot be negative`);

const params = z
  .strictObject({
    host: z
      .string()
      .regex(/^[A-Za-z0-9.:_-]+$/, 'host must be a host name or an IP address')
      .default('127.0.0.1')
      .describe('Address to connect to, as the host sees it.'),
    port: z.number().int().min(1).max(65535).optional().describe('TCP port to wait for.'),
    path: z.string().min(1).optional().describe('Path to wait for, instead of a port.'),
    state: z
      .enum(['started', 'stopped', 'present', 'absent'])
      .optional()
      .describe('started / stopped with port (default started); present / absent with path (default present).'),
    timeout: seconds('timeout').default(300).describe('Give up (and fail) after this many seconds.'),
    delay: seconds('delay').default(0).describe('Seconds to wait before polling (only when polling is needed).'),
    sleep: seconds('sleep').min(1, 'sleep must be at least 1 second').default(1).describe('Seconds between checks.'),
    msg: z.string().optional().describe('Message when the timeout is reached.'),
  })
  .superRefine((p, ctx) => {
    if ((p.port === undefined) === (p.path === undefined))
      ctx.addIssue({ code: 'custom', message: 'give exactly one of port or path', path: ['port'] });
    else if (p.port !== undefined && (p.state === 'present' || p.state === 'absent'))
      ctx.addIssue({
        code: 'custom',
        message: `state ${p.state} is for path; with port use started or stopped`,
        path: ['state'],
      });
    else if (p.path !== undefined && (p.state === 'started' || p.state === 'stopped'))
      ctx.addIssue({
        code: 'custom',
        message: `state ${p.state} is for port; with path use present or absent`,
        path: ['state'],
      });
  });

type Params = z.output<typeof params>;

/** What is waited for, the probe that tells, and whether the probe must succeed. */
function target(p: Params) {
  const state = p.state ?? (p.port !== undefined ? 'started' : 'present');
  const what = p.port !== undefined ? `${p.host}:${p.port}` : p.path!;
  const probe = p.port !== undefined ? portOpen.command(p.host, p.port) : pathExists.command(p.path!);
  return { state, what, probe, want: state === 'started' || state === 'present' };
}

export const waitFor = defineModule({
  name: 'wait_for',
  summary: 'Wait until a port answers or stops, or a path appears or goes away',
  doc,
  params,
  gather: async (host: HostView, p: Params) => ({
    now: p.port !== undefined ? await host.fact(portOpen, p.host, p.port) : await host.fact(pathExists, p.path!),
  }),
  plan(facts, p) {
    const t = target(p);
    if (facts.now === t.want) return { steps: [], note: `${t.what} is ${t.state}` };
    const message = p.msg ?? `timed out after ${p.timeout}s waiting for ${t.what} to be ${t.state}`;
    const loop = t.want ? raw('until') : raw('while');
    const poll = sh`${raw(p.delay > 0 ? `sleep ${p.delay}; ` : '')}deadline=$(( $(date +%s) + ${p.timeout} )); ${loop} { ${raw(t.probe.text)}; } >/dev/null 2>&1; do if [ "$(date +%s)" -ge "$deadline" ]; then echo ${message} >&2; exit 1; fi; sleep ${p.sleep}; done`;
    // Polling changes nothing on the host, so it is a read-only command.
    return { steps: [exec(`wait for ${t.what} to be ${t.state} (up to ${p.timeout}s)`, readOnly(poll))] };
  },
});
