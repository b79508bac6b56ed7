// copy: make a file on the host hold given content (inline, or a file from the controller).
import { defineModule, z } from '../src/sdk.js';
import { gatherDest, planContent, type ContentFacts } from './common/content.js';
import { absolutePath, attrParams } from './common/params.js';

const doc = `Makes \`dest\` a regular file holding \`content\`, or the content of \`src\`, a file on the
controller (relative to the playbook's folder, any bytes, streamed from disk: never held whole in
memory). Writes only when the content differs (by sha256, computed on the host), and then
atomically (a temp file beside it, renamed over it). A mode-only or owner-only difference is
fixed with chmod / chown, without rewriting the file. Parent folders must exist (see file).

dest must be the file itself: a folder or a symbolic link at dest fails the task.

Example:
  - name: message of the day
    copy:
      dest: /etc/motd
      content: "Welcome to {{ inventory_hostname }}\\n"
      mode: "0644"

  - name: cluster certificate
    copy: { src: files/cluster.pem, dest: /etc/ssl/cluster.pem, mode: "0600", owner: stackato, secret: true }`;

const params = z
  .strictObject({
    dest: absolutePath('dest').describe('Absolute path of the file on the host.'),
    content: z.string().optional().describe('The content, inline.'),
    src: z.string().min(1).optional().describe("A file on the controller, relative to the playbook's folder."),
    ...attrParams,
    secret: z.boolean().default(false).describe('Never show the content (check mode diffs are masked).'),
  })
  .refine((p) => (p.content === undefined) !== (p.src === undefined), {
    message: 'give exactly one of content or src',
    path: ['content'],
  });

export const copy = defineModule({
  name: 'copy',
  summary: 'Make a file hold given content (inline or from the controller), with mode and owner',
  doc,
  localFiles: ['src'],
  params,
  async gather(host, p): Promise<ContentFacts> {
    let wanted: ContentFacts['wanted'];
    if (p.content !== undefined) wanted = { content: p.content };
    else {
      try {
        // Streamed to the host at apply; planning knows it by size and sha256 only.
        wanted = { content: await host.controllerFile(p.src!) };
      } catch (e) {
        wanted = { error: `cannot read src ${p.src} on the controller: ${(e as Error).message}` };
      }
    }
    return { ...(await gatherDest(host, p.dest)), wanted };
  },
  plan: (facts, p) => planContent(facts, p),
});
