// OpenSSH option values as read from a config file or from `-o` style arguments (first value wins).

/** Keywords stackplay understands, lower-cased as OpenSSH compares them. */
export const KNOWN_KEYWORDS = [
  'hostname',
  'user',
  'port',
  'identityfile',
  'proxycommand',
  'proxyjump',
  'stricthostkeychecking',
  'userknownhostsfile',
  'connecttimeout',
  'serveraliveinterval',
  'serveralivecountmax',
] as const;
export type Keyword = (typeof KNOWN_KEYWORDS)[number];

/** Settings in OpenSSH's own terms: the first value seen for a keyword wins, IdentityFile accumulates. */
export interface SshSettings {
  values: Partial<Record<Keyword, string>>;
  identityFiles: string[];
}

export const emptySettings = (): SshSettings => ({ values: {}, identityFiles: [] });

const isKeyword = (k: string): k is Keyword => (KNOWN_KEYWORDS as readonly string[]).includes(k);

/** Records one `Keyword value`; unknown keywords are ignored, as stackplay cannot act on them. */
export function setOption(s: SshSettings, keyword: string, value: string): void {
  const k = keyword.toLowerCase();
  if (!isKeyword(k)) return;
  if (k === 'identityfile') {
    s.identityFiles.push(value);
    return;
  }
  if (s.values[k] === undefined) s.values[k] = value;
}

/** Splits "Key=Value" or "Key Value" (as in `-o` arguments and config lines). */
export function splitOption(text: string): { keyword: string; value: string } | undefined {
  const m = /^\s*([A-Za-z][A-Za-z0-9]*)\s*(?:=\s*|\s+)(.*?)\s*$/s.exec(text);
  if (!m) return undefined;
  return { keyword: m[1]!, value: unquote(m[2]!) };
}

/** Removes one pair of surrounding double quotes, as OpenSSH does for config values. */
export const unquote = (v: string): string =>
  v.length >= 2 && v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1) : v;

/**
 * Splits a command-line string into words the way a POSIX shell would (quotes and backslashes),
 * without expanding anything: `-o ProxyCommand="ssh -W %h:%p jump"` gives two words.
 */
export function splitWords(text: string): string[] {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else cur += c;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === '\\' && i + 1 < text.length && '"\\$`'.includes(text[i + 1]!)) cur += text[++i]!;
      else cur += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < text.length) {
      cur += text[++i]!;
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) {
        words.push(cur);
        cur = '';
        inWord = false;
      }
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (quote) throw new SyntaxError(`unterminated ${quote} quote`);
  if (inWord) words.push(cur);
  return words;
}

/** Flags of ssh(1) that take a value and map onto a config keyword. */
const FLAG_KEYWORDS: Record<string, Keyword> = { J: 'proxyjump', i: 'identityfile', p: 'port', l: 'user' };

/**
 * Reads ssh(1) arguments (`-o Key=Value`, `-oKey=Value`, `-J jump`, `-i key`, `-p port`, `-l user`)
 * into settings. Other flags are ignored. Returns `-F` (a config file) separately.
 */
export function parseSshArgs(
  text: string,
  into: SshSettings = emptySettings(),
): { settings: SshSettings; configFile?: string } {
  const words = splitWords(text);
  let configFile: string | undefined;
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const m = /^-([oJiplF])(.*)$/s.exec(w);
    if (!m) continue;
    const flag = m[1]!;
    const value = m[2] !== '' ? m[2]! : words[++i];
    if (value === undefined) throw new SyntaxError(`${w} needs a value`);
    if (flag === 'o') {
      const opt = splitOption(value);
      if (!opt) throw new SyntaxError(`cannot read ssh option "${value}" (expected Key=Value)`);
      setOption(into, opt.keyword, opt.value);
    } else if (flag === 'F') {
      configFile ??= value;
    } else {
      setOption(into, FLAG_KEYWORDS[flag]!, value);
    }
  }
  return configFile === undefined ? { settings: into } : { settings: into, configFile };
}
