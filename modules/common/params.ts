// Param schemas shared by the file modules: absolute paths, octal modes, owners.
import { z } from '../../src/sdk.js';

export const absolutePath = (what: string) =>
  z
    .string()
    .min(1)
    .refine((s) => s.startsWith('/'), { message: `${what} must be an absolute path (starting with /)` });

/**
 * An octal mode as a quoted string ("0644", "644", "1777"), normalised to 4 digits.
 * Numbers are refused: YAML reads an unquoted 0644 as the number 644 (YAML 1.2) or 420 (YAML 1.1),
 * and 0o644 as 420, so a number cannot be read back safely.
 */
export const octalMode = z
  .string({
    error: (iss) =>
      iss.input === undefined
        ? undefined
        : `mode must be a quoted string such as "0644", got ${JSON.stringify(iss.input)} (YAML reads an unquoted 0644 as a number)`,
  })
  .regex(/^0?[0-7]{3,4}$/, 'mode must be octal digits such as "0644" or "1777"')
  .transform((s) => s.padStart(4, '0'));

export const userName = (what: string) =>
  z.string().regex(/^([a-z_][a-z0-9_.-]*\$?|[0-9]+)$/i, `${what} must be a user or group name (or a numeric id)`);

/** mode / owner / group, as every file-writing module takes them. */
export const attrParams = {
  mode: octalMode
    .optional()
    .describe(
      'Permissions as a quoted octal string, e.g. "0644". Unset: new files get 0644, existing ones keep theirs.',
    ),
  owner: userName('owner').optional().describe('User that should own the file.'),
  group: userName('group').optional().describe('Group that should own the file.'),
};

export interface Attrs {
  mode?: string | undefined;
  owner?: string | undefined;
  group?: string | undefined;
}
