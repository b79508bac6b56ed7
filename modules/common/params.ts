// Param schemas shared by modules: paths, modes, owners, IPv4 addresses and values passed as command arguments.
import { isIPv4, z } from '../../src/sdk.js';

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

/** A dotted-quad IPv4 address, each part 0-255 (999.999.999.999 is refused at load, at its YAML node). */
export const ipv4 = z
  .string()
  .refine((s) => isIPv4(s), { message: 'expected an IPv4 address such as 10.0.0.1 (four numbers 0-255)' });

/** An IPv4 network in CIDR form: address/prefix with a prefix of 0-32. */
export const ipv4Cidr = z.string().refine(
  (s) => {
    const [addr = '', prefix = '', ...rest] = s.split('/');
    return rest.length === 0 && isIPv4(addr) && /^\d{1,2}$/.test(prefix) && Number(prefix) <= 32;
  },
  { message: 'expected a network such as 10.0.0.0/24' },
);

/**
 * A value passed to a remote tool as a positional argument (a source, a role, an endpoint, a
 * node): one starting with "-" would be read as an option (sshfs -oProxyCommand=..., kato --help).
 */
export const argument = (what: string) =>
  z
    .string()
    .min(1, `${what} must not be empty`)
    .refine((s) => !s.startsWith('-'), {
      message: `${what} must not start with "-" (it would be read as an option)`,
      abort: true,
    });

/** A kato role name (controller, data-services, load_balancer, ...). */
export const katoRole = argument('a role').regex(
  /^[A-Za-z0-9][A-Za-z0-9_.-]*$/,
  'expected a kato role name such as dea',
);
