// Reads an OpenSSH client config file (read-only) and looks up the settings for one host.
import { statSync } from 'node:fs';
import { InputFileError, readInputText } from '../load/input-file.js';
import { diag, InputError } from '../errors.js';
import { matchesPatternList } from './host-pattern.js';
import { emptySettings, setOption, splitOption, splitWords, type SshSettings } from './ssh-settings.js';

interface ConfigLine {
  keyword: string;
  value: string;
  line: number;
}

/** A `Host` block; `Match` blocks are kept only for `Match all` (others are not supported and never apply). */
export interface SshConfigBlock {
  patterns: string[] | 'all' | 'never';
  lines: ConfigLine[];
}

export interface SshConfig {
  file: string;
  blocks: SshConfigBlock[];
}

/** Parses config text. Options before the first Host apply to every host. Include is not followed. */
export function parseSshConfig(text: string, file: string): SshConfig {
  const blocks: SshConfigBlock[] = [{ patterns: 'all', lines: [] }];
  text.split(/\r?\n/).forEach((raw, i) => {
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const opt = splitOption(trimmed);
    if (!opt) {
      throw new InputError([
        diag(
          'E_SSH_CONFIG',
          `cannot read ssh config line "${trimmed}"`,
          { file, line: i + 1, col: 1 },
          'each line is "Keyword value" or "Keyword=value"',
        ),
      ]);
    }
    const keyword = opt.keyword.toLowerCase();
    if (keyword === 'host') {
      blocks.push({ patterns: splitWords(opt.value), lines: [] });
    } else if (keyword === 'match') {
      blocks.push({ patterns: opt.value.trim().toLowerCase() === 'all' ? 'all' : 'never', lines: [] });
    } else {
      blocks.at(-1)!.lines.push({ keyword, value: opt.value, line: i + 1 });
    }
  });
  return { file, blocks };
}

// Every host of a run reads the same file: parse it once per version of the file.
const parsed = new Map<string, { stamp: string; config: SshConfig }>();

/** Reads a config file; a missing file is an empty config. */
export function readSshConfig(file: string): SshConfig {
  const st = statSync(file, { throwIfNoEntry: false });
  if (!st) return { file, blocks: [] };
  const stamp = `${st.mtimeMs}:${st.size}:${st.ino}`;
  const known = parsed.get(file);
  if (known?.stamp === stamp) return known.config;
  let text: string;
  try {
    text = readInputText(file);
  } catch (e) {
    if (!(e instanceof InputFileError)) throw e;
    throw new InputError([
      diag(
        'E_FILE',
        e.message,
        { file, line: e.at?.line ?? 1, col: e.at?.col ?? 1 },
        'give an ssh config that is a regular file',
      ),
    ]);
  }
  const config = parseSshConfig(text, file);
  parsed.set(file, { stamp, config });
  return config;
}

/** The settings that apply to `host` (the name given on the command line), first value winning. */
export function lookupSshConfig(config: SshConfig, host: string, into: SshSettings = emptySettings()): SshSettings {
  for (const block of config.blocks) {
    const applies =
      block.patterns === 'all' || (block.patterns !== 'never' && matchesPatternList(host, block.patterns));
    if (!applies) continue;
    for (const l of block.lines) setOption(into, l.keyword, l.value);
  }
  return into;
}
