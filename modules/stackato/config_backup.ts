// config_backup: keep a copy of the cluster config (every component of the core's config store) on the controller.
import { defineModule, sumOf, z } from '../../src/sdk.js';
import { katoConfigDump } from '../facts/kato-config.js';

const doc = `Run on the core. Reads every component of kato's config store (\`kato config get\`, then
\`kato config get --json COMPONENT\`: the cluster, node, and process settings) and writes them as one
JSON file on the controller at \`dest\`. An existing file is kept: the first backup of a change is the
one worth having, so a resumed or repeated run never overwrites it with later config.

Example:
  - name: back up the cluster config before the core moves
    config_backup: { dest: /var/backups/stackato/config-before-migrate.json }`;

export const configBackup = defineModule({
  name: 'config_backup',
  summary: "Write the core's config store to a JSON file on the controller (kept once written)",
  doc,
  params: z.strictObject({
    dest: z.string().min(1).describe("Where on the controller (relative to the playbook's folder, or absolute)."),
  }),
  async gather(host, p) {
    if (!host.readController)
      throw new Error('config_backup needs the controller: this host view cannot read its files');
    const local = await host.readController(p.dest);
    // An existing backup is kept, so the store is not read again.
    return { local, dump: local.bytes ? null : await host.fact(katoConfigDump) };
  },
  plan({ local, dump }, p) {
    if (local.directory) return { steps: [], fail: `${p.dest} is a folder, not a file` };
    if (local.bytes || !dump)
      return { steps: [], note: `the backup is already at ${local.path}`, data: { dest: local.path } };
    const bytes = Buffer.from(`${JSON.stringify({ components: dump }, null, 2)}\n`, 'utf8');
    return {
      steps: [
        {
          kind: 'controller-write',
          // The title names what is backed up; the values stay out of plans and events (service credentials).
          title: `back up the config store (${Object.keys(dump).length} components) to ${local.path}`,
          path: local.path,
          before: null,
          after: sumOf(bytes),
          base64: bytes.toString('base64'),
        },
      ],
      data: { dest: local.path },
    };
  },
});
