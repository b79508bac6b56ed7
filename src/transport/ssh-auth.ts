// SSH authentication order: agent, then key files, then password; remembers what was tried for errors.
import { existsSync } from 'node:fs';
import { InputFileError, readInputFile } from '../load/input-file.js';
import { homedir } from 'node:os';
import { join } from 'node:path';
import ssh2, {
  type AnyAuthMethod,
  type AuthenticationType,
  type AuthHandlerMiddleware,
  type NextAuthHandler,
} from 'ssh2';
import type { HostConnection } from './connection.js';

export interface AuthPlan {
  handler: AuthHandlerMiddleware;
  /** Methods offered to the server so far, e.g. "publickey /root/.ssh/id_ed25519". */
  tried: string[];
  /** Why a configured method could not even be offered (missing key file, encrypted key). */
  notes: string[];
}

const DEFAULT_KEYS = ['id_ed25519', 'id_ecdsa', 'id_rsa'];

export function planAuth(
  conn: HostConnection,
  env: Readonly<Record<string, string | undefined>> = process.env,
): AuthPlan {
  const methods: { label: string; method: AnyAuthMethod }[] = [];
  const notes: string[] = [];
  const username = conn.user;
  const agent = env.SSH_AUTH_SOCK;
  if (agent && existsSync(agent)) methods.push({ label: 'agent', method: { type: 'agent', username, agent } });

  const explicit = conn.keyFiles.length > 0;
  const files = explicit
    ? conn.keyFiles
    : DEFAULT_KEYS.map((k) => join(homedir(), '.ssh', k)).filter((f) => existsSync(f));
  for (const file of files) {
    let data: Buffer;
    try {
      data = readInputFile(file);
    } catch (e) {
      notes.push(
        `key file ${file} cannot be read (${e instanceof InputFileError ? e.why : ((e as NodeJS.ErrnoException).code ?? (e as Error).message)})`,
      );
      continue;
    }
    const parsed = ssh2.utils.parseKey(data);
    if (parsed instanceof Error) {
      notes.push(`key file ${file} is not a usable private key (${parsed.message})`);
      continue;
    }
    methods.push({ label: `publickey ${file}`, method: { type: 'publickey', username, key: data } });
  }

  if (conn.password) {
    const password = conn.password.reveal();
    methods.push({ label: 'password', method: { type: 'password', username, password } });
    methods.push({
      label: 'keyboard-interactive',
      method: {
        type: 'keyboard-interactive',
        username,
        prompt: (_n, _i, _l, prompts, finish) => finish(prompts.map(() => password)),
      },
    });
  }

  const tried: string[] = [];
  const handler: AuthHandlerMiddleware = (
    left: AuthenticationType[] | null,
    _partial: boolean | null,
    next: NextAuthHandler,
  ) => {
    while (methods.length > 0) {
      const m = methods.shift()!;
      const type = m.method.type === 'agent' ? 'publickey' : m.method.type;
      if (left && !left.includes(type)) continue;
      tried.push(m.label);
      next(m.method);
      return;
    }
    // Typed as AuthenticationType, but ssh2 takes false to mean "nothing left to try".
    next(false as unknown as AuthenticationType);
  };
  return { handler, tried, notes };
}
