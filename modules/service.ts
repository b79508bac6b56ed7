// service: start, stop, restart or reload a service and set whether it starts at boot (systemd, upstart or sysvinit).
import { defineModule, exec, sh, z, type Plan, type Step } from '../src/sdk.js';
import { serviceState, type ServiceFacts } from './facts/service.js';

const doc = `Ansible's service. The node's init system decides the commands: systemd (systemctl) when
it runs, else upstart jobs (/etc/init/NAME.conf, \`service NAME ...\`, a "manual" override file
for enabled: false), else sysvinit scripts (/etc/init.d/NAME, \`service NAME ...\`, update-rc.d),
as on the Ubuntu nodes of Stackato's kato era.

state: started and stopped change only what differs; restarted and reloaded act on every run
and always report a change, as in Ansible (reloaded starts a stopped service). enabled: true or
false makes the service start at boot or not. Check mode runs only the status probe.

Example:
  - name: nginx serves the load balancer
    service: { name: nginx, state: started, enabled: true }

  - name: pick up the new upstream list
    service: { name: nginx, state: reloaded }`;

const params = z
  .strictObject({
    name: z
      .string()
      .regex(/^[A-Za-z0-9_@.:+][A-Za-z0-9_@.:+-]*$/, 'name must be a service name (letters, digits, _ @ . : + -)')
      .describe('The service (unit, upstart job or init.d script).'),
    state: z.enum(['started', 'stopped', 'restarted', 'reloaded']).optional().describe('What to do with it.'),
    enabled: z.boolean().optional().describe('Whether it starts at boot.'),
  })
  .refine((p) => p.state !== undefined || p.enabled !== undefined, {
    message: 'give state or enabled (or both)',
    path: ['state'],
  });

type Params = z.output<typeof params>;
type Found = Exclude<ServiceFacts, { init: 'missing' }>;

/** The command that runs an action: systemctl under systemd, `service` otherwise. */
const control = (f: Found, name: string, action: string) =>
  f.init === 'systemd' ? sh`systemctl ${action} -- ${name}` : sh`service ${name} ${action}`;

function bootStep(f: Found, name: string, enable: boolean): Step {
  const title = `~ ${name} enabled: ${f.enabled ? 'yes' : 'no'} -> ${enable ? 'yes' : 'no'}`;
  if (f.init === 'systemd') return exec(title, sh`systemctl ${enable ? 'enable' : 'disable'} -- ${name}`);
  if (f.init === 'upstart') {
    const override = `/etc/init/${name}.override`;
    return exec(title, enable ? sh`sed -i '/^manual/d' -- ${override}` : sh`echo manual >> ${override}`);
  }
  // `defaults` makes the links when there are none; `enable` turns K links back into S links.
  return exec(
    title,
    enable ? sh`update-rc.d ${name} defaults && update-rc.d ${name} enable` : sh`update-rc.d ${name} disable`,
  );
}

function stateSteps(f: Found, p: Params): Step[] {
  const was = f.running ? 'started' : 'stopped';
  if (p.state === 'started' && !f.running)
    return [exec(`~ ${p.name}: stopped -> started`, control(f, p.name, 'start'))];
  if (p.state === 'stopped' && f.running) return [exec(`~ ${p.name}: started -> stopped`, control(f, p.name, 'stop'))];
  if (p.state === 'restarted')
    return [exec(`restart ${p.name} (${was})`, control(f, p.name, 'restart'), { always: true })];
  if (p.state === 'reloaded')
    return f.running
      ? [exec(`reload ${p.name}`, control(f, p.name, 'reload'), { always: true })]
      : [exec(`~ ${p.name}: stopped -> started (reloaded)`, control(f, p.name, 'start'), { always: true })];
  return [];
}

export const service = defineModule({
  name: 'service',
  summary: 'Start, stop, restart or reload a service; make it start at boot or not',
  doc,
  params,
  gather: (host, p) => host.fact(serviceState, p.name),
  plan(f, p): Plan {
    if (f.init === 'missing') return { steps: [], fail: `Could not find the requested service ${p.name}: host` };
    const steps: Step[] = [];
    if (p.enabled !== undefined && p.enabled !== f.enabled) steps.push(bootStep(f, p.name, p.enabled));
    steps.push(...stateSteps(f, p));
    const running = p.state === undefined ? f.running : p.state !== 'stopped';
    const data = {
      name: p.name,
      state: running ? 'started' : 'stopped',
      ...(p.enabled !== undefined ? { enabled: p.enabled } : {}),
    };
    if (steps.length) return { steps, data };
    return {
      steps,
      note: `${p.name} is ${running ? 'running' : 'stopped'}${p.enabled === undefined ? '' : f.enabled ? ', enabled' : ', disabled'} (${f.init})`,
      data,
    };
  },
});
