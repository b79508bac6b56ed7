// template: render a Handlebars template from the controller into a file on the host.
import { defineModule, z, type HostView } from '../src/sdk.js';
import { gatherDest, planContent, type ContentFacts } from './common/content.js';
import { absolutePath, attrParams } from './common/params.js';

const doc = `Renders \`src\`, a Handlebars template on the controller (relative to the playbook's folder),
with the host's variables, and makes \`dest\` hold the result, like copy: written only when the
content differs, mode-only and owner-only differences fixed with chmod / chown.

Rendering is strict (a variable that is not defined fails the task, naming the template) and
does not HTML-escape. Lists: {{#each routers}}...{{/each}}; conditions: {{#if x}}...{{/if}}.

Example:
  - name: nginx upstream of the routers
    template:
      src: templates/upstream.conf.hbs
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
    return { content: host.render(source, src) };
  } catch (e) {
    return { error: `template ${src}: ${(e as Error).message}` };
  }
}

export const template = defineModule({
  name: 'template',
  summary: 'Render a Handlebars template from the controller into a file on the host',
  doc,
  localFiles: ['src'],
  params,
  async gather(host, p): Promise<ContentFacts> {
    return { ...(await gatherDest(host, p.dest)), wanted: await renderSource(host, p.src) };
  },
  plan: (facts, p) => planContent(facts, p),
});
