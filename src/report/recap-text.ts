// The end-of-run recap as text, one line per host, aligned like Ansible's PLAY RECAP.
import type { RecapLine } from './events.js';

export function formatRecap(recap: Record<string, RecapLine>): string {
  const hosts = Object.keys(recap);
  if (hosts.length === 0) return 'RECAP: no hosts';
  const width = Math.max(...hosts.map((h) => h.length));
  const lines = hosts.map((h) => {
    const r = recap[h]!;
    return `${h.padEnd(width)} : ok=${r.ok}  changed=${r.changed}  unreachable=${r.unreachable}  failed=${r.failed}  skipped=${r.skipped}  rescued=${r.rescued ?? 0}  ignored=${r.ignored}`;
  });
  return ['RECAP', ...lines].join('\n');
}
