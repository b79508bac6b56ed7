// Commands: one quoting helper, secret masking, and the one place sudo/su wrapping happens.
import type { BecomeMethod } from './privilege.js';

/** A value that must never be printed; `toString()` masks it. */
export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return '********';
  }
  toJSON(): string {
    return '********';
  }
}

/**
 * A shell command. `text` is what runs, `display` is what is shown (secrets masked).
 * `readOnly` marks probes that change nothing: only those may run in check mode. A probe also
 * leaves nothing running that writes to its output: the command shell passes a probe's output
 * straight through, where another command's goes through files of its own.
 * `become` asks the transport to run it as another user (see wrapBecome); src/privilege.ts decides it.
 */
export interface Command {
  text: string;
  display: string;
  readOnly: boolean;
  become?: Become;
  /**
   * The program runs as the login user and asks for the become password itself when it needs sudo, as
   * kato does (reference/kato.md section 2: kato runs as stackato, never root, and asks for stackato's
   * password). wrapBecome then does not wrap it; it answers with the password after the command's input.
   */
  ownSudo?: boolean;
}

/** POSIX single-quote quoting; bare words that need no quoting stay bare for readability. */
export function quote(value: string | number): string {
  const s = String(value);
  if (s !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(s)) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

type Arg = string | number | Secret | readonly (string | number | Secret)[] | Raw;

/** Text inserted without quoting, e.g. an operator. Use sparingly. */
export class Raw {
  constructor(readonly text: string) {}
}
export const raw = (text: string): Raw => new Raw(text);

const renderArg = (a: Arg, reveal: boolean): string => {
  if (a instanceof Raw) return a.text;
  if (a instanceof Secret) return reveal ? quote(a.reveal()) : '********';
  if (Array.isArray(a)) return a.map((x) => renderArg(x, reveal)).join(' ');
  return quote(a as string | number);
};

/** Builds a command where every interpolated value is quoted: sh`kato node attach ${ip}`. */
export function sh(strings: TemplateStringsArray, ...args: Arg[]): Command {
  let text = strings[0]!;
  let display = strings[0]!;
  args.forEach((a, i) => {
    text += renderArg(a, true) + strings[i + 1]!;
    display += renderArg(a, false) + strings[i + 1]!;
  });
  return { text, display, readOnly: false };
}

/** A raw shell script (the `shell` module); shown as written. */
export const shellScript = (script: string, display = script): Command => ({ text: script, display, readOnly: false });

/** A kato command line (see Command.ownSudo): `kato\`kato node rename ${name}\``. */
export const kato = (strings: TemplateStringsArray, ...args: Arg[]): Command => ({
  ...sh(strings, ...args),
  ownSudo: true,
});

/** Marks a command as a read-only probe (allowed in check mode). */
export const readOnly = (c: Command): Command => ({ ...c, readOnly: true });

/** Run as `user` through `method`; the password, when any, goes on stdin and never on a command line. */
export interface Become {
  user: string;
  method: BecomeMethod;
  password?: Secret;
}

/**
 * The one place privilege escalation is applied. With a password, sudo reads it from stdin
 * (-S) with an empty prompt, so it never appears on a command line or in output. su runs the
 * command with /bin/sh (the target may have no login shell, like nobody); it cannot read a
 * password without a terminal, so connection vars refuse su with a password at load time.
 */
export function wrapBecome(
  c: Command,
  b: Become,
): { text: string; display: string; stdinPrefix?: string; stdinSuffix?: string } {
  // A probe never needs sudo, so it gets no password (and keeps the fast shell session: no stdin).
  if (c.ownSudo)
    return b.password && !c.readOnly
      ? { text: c.text, display: c.display, stdinSuffix: `${b.password.reveal()}\n` }
      : { text: c.text, display: c.display };
  const inner = quote(c.text);
  if (b.method === 'su') {
    return { text: `su -s /bin/sh -c ${inner} ${quote(b.user)}`, display: `su ${b.user} ${c.display}` };
  }
  const user = b.user !== 'root' ? ` -u ${quote(b.user)}` : '';
  const flags = b.password ? `-S -p ''` : '-n';
  const text = `sudo ${flags}${user} -H sh -c ${inner}`;
  const display = `sudo${user} ${c.display}`;
  return b.password ? { text, display, stdinPrefix: `${b.password.reveal()}\n` } : { text, display };
}
