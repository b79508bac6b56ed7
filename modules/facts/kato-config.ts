// Read-only probes of kato's config store (reference/kato.md 2.13, 3.2): one key, or every component.
import { defineFact, readOnly, kato } from '../../src/sdk.js';

/** `kato config get --json COMPONENT KEY-PATH`: the value, or null when the key is not set. */
export const katoConfigValue = defineFact({
  name: 'kato_config_value',
  command: (component: string, path: string) =>
    readOnly(kato`kato config get --json ${component} ${path} 2>/dev/null || true`),
  parse: (out): unknown => {
    const text = out.stdout.trim();
    if (!text) return null;
    try {
      return JSON.parse(text);
    } catch {
      return null;
    }
  },
});

const MARK = '=== stackplay component ';

/**
 * Every component of the config store as JSON: `kato config get` lists the components, then each one
 * is read with `kato config get --json COMPONENT`. Fails when kato lists nothing (no store reached).
 */
export const katoConfigDump = defineFact({
  name: 'kato_config_dump',
  command: () =>
    readOnly(
      kato`set -e; for c in $(kato config get); do printf '%s%s\n' ${MARK} "$c"; kato config get --json "$c"; done`,
    ),
  parse: (out): Record<string, unknown> => {
    const dump: Record<string, unknown> = {};
    const parts = out.stdout.split(MARK).slice(1);
    for (const part of parts) {
      const nl = part.indexOf('\n');
      const name = part.slice(0, nl).trim();
      try {
        dump[name] = JSON.parse(part.slice(nl + 1));
      } catch {
        throw new Error(`\`kato config get --json ${name}\` did not print JSON: ${part.slice(nl + 1, nl + 200)}`);
      }
    }
    if (out.code !== 0 || !parts.length)
      throw new Error(
        `cannot read the config store with \`kato config get\` (exit ${out.code}): ${(out.stderr || out.stdout).slice(0, 200)}`,
      );
    return dump;
  },
});
