// template: render a Jinja2 template (or Handlebars for `.hbs`) from the controller into a file on the host.
import { defineModule, renderHandlebars, z, type HostView } from '../src/sdk.js';
import { gatherDest, planContent, type ContentFacts } from './common/content.js';
import { absolutePath, attrParams } from './common/params.js';

const doc = `Renders \`src\`, a Jinja2 template on the controller (relative to the playbook's folder),
with the host's variables, and makes \`dest\` hold the result, like copy: written only when the
content differs, mode-only and owner-only differences fixed with chmod / chown.

Rendering is strict (a variable that is not defined fails the task, naming the template, line
and column) and does not HTML-escape. Jinja2 as in Ansible: {% for r in routers %}...{% endfor %},
{% if x %}...{% endif %}, {{ x | default('a') }}. A \`src\` ending in \`.hbs\` is rendered with
Handlebars instead ({{#each routers}}...{{/each}}), also strict.

Example:
  - name: nginx upstream of the routers
    template:
      src: templates/upstream.conf.j2
      dest: /etc/nginx/conf.d/upstream.conf
      mode: "0644"`;

const params = z.strictObject({
  src: z.string().min(1).describe("The template on the controller, relative to the playbook's folder."),
  dest: absolutePath('dest').describe('Absolute path of the file on the host.'),
  ...attrParams,
  secret: z.boolean().default(false).describe('Never show the content (check mode diffs are masked).'),
});

/** The rendered template, or why there is none (missing file, undefined variable, bad syntax). */
async function renderSource(host: HostView, src: string): Promise<ContentFacts['wanted']> {
  let source: string;
  try {
    source = await host.readLocal(src);
  } catch (e) {
    return { error: `cannot read template ${src} on the controller: ${(e as Error).message}` };
  }
  try {
    return { content: src.endsWith('.hbs') ? renderHandlebars(source, host.vars, src) : host.render(source, src) };
  } catch (e) {
    return { error: `template ${src}: ${(e as Error).message}` };
  }
}

export const template = defineModule({
  name: 'template',
  summary: 'Render a Jinja2 template (Handlebars for .hbs) from the controller into a file on the host',
  doc,
  localFiles: ['src'],
  params,
  async gather(host, p): Promise<ContentFacts> {
    return { ...(await gatherDest(host, p.dest)), wanted: await renderSource(host, p.src) };
  },
  plan: (facts, p) => planContent(facts, p),
});
