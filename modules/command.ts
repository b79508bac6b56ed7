// command: run a program with arguments on the host, without a shell.
import { defineModule, exec, sh, z } from '../src/sdk.js';
import { gatherGuards, skipByGuards } from './common/guards.js';
import { absolutePath } from './common/params.js';
import { splitWords } from './common/words.js';

const doc = `Runs one program with its arguments. There is no shell: pipes, redirections, \`&&\`,
variables and globs are passed to the program as plain words (use the shell module for those).
The line is split into words like a shell would ('single', "double" quotes, backslashes), and
each word is quoted again, so what you see is what runs.

It runs every time, unless \`creates\` names a path that already exists or \`removes\`
names one that does not. With \`register\`, the result
holds rc, stdout, stderr and stdout_lines.

Example:
  - name: read the kato version
    command: kato version
    register: kato_version
    changed_when: false

  - name: unpack the release once
    command:
      argv: [tar, xzf, /tmp/release.tgz]
      chdir: /opt
      creates: /opt/release`;

const words = z.union([z.string(), z.number()]).transform(String);

const params = z
  .strictObject({
    cmd: z
      .string()
      .min(1)
      .superRefine((s, ctx) => {
        try {
          if (splitWords(s).length === 0) ctx.addIssue({ code: 'custom', message: 'cmd has no words' });
        } catch (e) {
          ctx.addIssue({ code: 'custom', message: `cmd: ${(e as Error).message}` });
        }
      })
      .optional()
      .describe('The command line (also the free-form value: `command: ls -l /tmp`). Split into words, no shell.'),
    argv: z.array(words).min(1).optional().describe('The program and its arguments as a list, instead of cmd.'),
    chdir: absolutePath('chdir').optional().describe('Run in this folder.'),
    creates: z.string().min(1).optional().describe('Skip when this path exists (relative paths are under chdir).'),
    removes: z
      .string()
      .min(1)
      .optional()
      .describe('Skip when this path does not exist (relative paths are under chdir).'),
    stdin: z.string().optional().describe('Text fed to the program on standard input.'),
    stdin_add_newline: z.boolean().default(true).describe('End stdin with a newline if it lacks one.'),
  })
  .refine((p) => (p.cmd === undefined) !== (p.argv === undefined), {
    message: 'give exactly one of cmd or argv',
    path: ['cmd'],
  });

export const command = defineModule({
  name: 'command',
  summary: 'Run a program with arguments on the host (no shell)',
  doc,
  params,
  idempotent: false,
  freeForm: 'cmd',
  gather: (host, p) => gatherGuards(host, p),
  plan(facts, p) {
    const skip = skipByGuards(facts, p);
    if (skip) return skip;
    const argv = p.argv ?? splitWords(p.cmd ?? '');
    const cmd = p.chdir === undefined ? sh`${argv}` : sh`cd ${p.chdir} && ${argv}`;
    const stdin =
      p.stdin === undefined ? {} : { stdin: p.stdin_add_newline && !p.stdin.endsWith('\n') ? `${p.stdin}\n` : p.stdin };
    // cmd in the result is the argv list, as Ansible's command module registers it.
    return { steps: [exec(`run ${sh`${argv}`.display}`, cmd, stdin)], data: { cmd: argv } };
  },
});
