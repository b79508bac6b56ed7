// The template benchmark's inputs: a 1,000-line template (Jinja and Handlebars forms) and 20 tasks x 500 hosts of params.

/** A 1,000-line config file template: a variable, a filter, a condition and a list per line. */
export function jinjaTemplate(lines = 1000): string {
  const out: string[] = [];
  for (let i = 0; i < lines; i++)
    out.push(
      `server_${i} {{ inventory_hostname | upper }}:{{ port }} {% if weight > ${i % 7} %}{{ routers | join(',') }}{% else %}{{ fallback }}{% endif %}`,
    );
  return `${out.join('\n')}\n`;
}

/** The same file in the Handlebars dialect the old engine rendered. */
export function handlebarsTemplate(lines = 1000): string {
  const out: string[] = [];
  for (let i = 0; i < lines; i++)
    out.push(
      `server_${i} {{upper inventory_hostname}}:{{port}} {{#if (gt weight ${i % 7})}}{{join routers ","}}{{else}}{{fallback}}{{/if}}`,
    );
  return `${out.join('\n')}\n`;
}

export const templateVars = (host: number): Record<string, unknown> => ({
  inventory_hostname: `node${host}`,
  port: 8000 + (host % 100),
  weight: host % 10,
  routers: ['10.0.0.1', '10.0.0.2', '10.0.0.3'],
  fallback: 'none',
  stackato_core_ip: '10.0.0.10',
  app_dir: '/srv/app',
  env_name: 'prod',
});

/** 20 tasks' params, each with a few templated strings as playbooks write them. */
export function taskParams(tasks = 20): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (let t = 0; t < tasks; t++)
    out.push({
      dest: `{{ app_dir }}/conf.d/${t}-{{ inventory_hostname }}.conf`,
      content: `core={{ stackato_core_ip }} port={{ port }} env={{ env_name | upper }}\n`,
      mode: '0644',
      owner: 'root',
      routers: '{{ routers }}',
    });
  return out;
}
