// shell: run a script through a shell on the host.
import { defineModule, exec, quote, sh, shellScript, z } from '../src/sdk.js';
import { gatherGuards, skipByGuards } from './common/guards.js';
import { absolutePath } from './common/params.js';

const doc = `Runs a script through a shell (\`/bin/sh -c SCRIPT\`, or \`executable\`), so pipes,
redirections, \`&&\` and variables work. The script is passed as written: quote any value you
template into it yourself, or prefer the command module.

It runs every time, unless \`creates\` names a path that already exists or \`removes\`
names one that does not. With \`register\`, the result
holds rc, stdout, stderr and stdout_lines.

Example:
  - name: count the DEAs the core knows
    shell: kato node list | grep -c dea
    register: dea_count
    changed_when: false

  - name: build once
    shell:
      cmd: ./configure && make
      chdir: /opt/app
      creates: /opt/app/app
      executable: /bin/bash`;

const params = z.strictObject({
  cmd: z.string().min(1).describe('The script (also the free-form value: `shell: ls | wc -l`).'),
  chdir: absolutePath('chdir').optional().describe('Run in this folder.'),
  creates: z.string().min(1).optional().describe('Skip when this path exists (relative paths are under chdir).'),
  removes: z
    .string()
    .min(1)
    .optional()
    .describe('Skip when this path does not exist (relative paths are under chdir).'),
  executable: absolutePath('executable').default('/bin/sh').describe('The shell that runs the script.'),
  stdin: z.string().optional().describe('Text fed to the script on standard input.'),
});

const firstLine = (script: string): string => {
  const lines = script.trim().split('\n');
  return lines.length > 1 ? `${lines[0]} …` : lines[0]!;
};

export const shell = defineModule({
  name: 'shell',
  summary: 'Run a script through a shell on the host (pipes, redirections, variables)',
  doc,
  params,
  idempotent: false,
  freeForm: 'cmd',
  gather: (host, p) => gatherGuards(host, p),
  plan(facts, p) {
    const skip = skipByGuards(facts, p);
    if (skip) return skip;
    const run =
      p.chdir === undefined ? sh`${p.executable} -c ${p.cmd}` : sh`cd ${p.chdir} && ${p.executable} -c ${p.cmd}`;
    const display = p.chdir === undefined ? p.cmd : `cd ${quote(p.chdir)} && ${p.cmd}`;
    const step = exec(
      `run ${firstLine(p.cmd)}`,
      shellScript(run.text, display),
      p.stdin === undefined ? {} : { stdin: p.stdin },
    );
    return { steps: [step], data: { cmd: p.cmd } };
  },
});
