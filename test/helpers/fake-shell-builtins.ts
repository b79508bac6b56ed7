// The commands the fake shell knows: coreutils-like behaviour and messages over the fake filesystem.
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { Exit, type IO, type Shell } from './fake-shell.js';
import { FsError, formatMode, type FakeEntry } from './fake-fs.js';

export interface Call {
  args: string[];
  io: IO;
  shell: Shell;
}
type Builtin = (c: Call) => number;

/**
 * Splits single-letter flags (`-rf`, `-p`) from operands, GNU style: flags may follow operands; `--`
 * ends them. With permute false (commands that run commands: timeout), the first operand ends them.
 */
function flags(
  args: string[],
  withValue = '',
  permute = true,
): { f: Set<string>; values: Map<string, string>; rest: string[] } {
  const f = new Set<string>();
  const values = new Map<string, string>();
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      rest.push(...args.slice(i + 1));
      break;
    }
    if (!/^-[A-Za-z]/.test(a)) {
      if (!permute) {
        rest.push(...args.slice(i));
        break;
      }
      rest.push(a);
      continue;
    }
    for (let j = 1; j < a.length; j++) {
      const ch = a[j]!;
      if (withValue.includes(ch)) {
        values.set(ch, a.slice(j + 1) || args[++i] || '');
        break;
      }
      f.add(ch);
    }
  }
  return { f, values, rest };
}

const fail = (io: IO, msg: string, code = 1): number => {
  io.err(`${msg}\n`);
  return code;
};
const why = (e: unknown): string => (e instanceof FsError ? e.message.replace(/^.*: /, '') : (e as Error).message);

function fileType(e: FakeEntry): string {
  if (e.type === 'file') return e.content === '' ? 'regular empty file' : 'regular file';
  return e.type === 'directory' ? 'directory' : 'symbolic link';
}

function statFormat(fmt: string, path: string, e: FakeEntry): string {
  return fmt.replace(/%([a-zA-Z%])/g, (_, c: string) => {
    switch (c) {
      case 'F':
        return fileType(e);
      case 'a':
        return e.type === 'link' ? '777' : formatMode(e.mode);
      case 'U':
        return e.owner;
      case 'G':
        return e.group;
      case 's':
        return String(e.type === 'file' ? Buffer.byteLength(e.content) : e.type === 'link' ? e.target.length : 4096);
      case 'n':
        return path;
      case '%':
        return '%';
      default:
        return `?${c}`;
    }
  });
}

function testExpr(args: string[], c: Call): boolean {
  const fs = c.shell.world.fs;
  const p = (x: string) => c.shell.path(x);
  if (args[0] === '!') return !testExpr(args.slice(1), c);
  if (args.length === 0) return false;
  if (args.length === 1) return args[0] !== '';
  if (args.length === 2) {
    const [op, x] = args as [string, string];
    const st = () => fs.stat(p(x));
    switch (op) {
      case '-e':
        return st() !== undefined;
      case '-f':
        return st()?.type === 'file';
      case '-d':
        return st()?.type === 'directory';
      case '-L':
      case '-h':
        return fs.lstat(p(x))?.type === 'link';
      case '-s': {
        const e = st();
        return e !== undefined && (e.type !== 'file' || e.content !== '');
      }
      case '-r':
      case '-w':
        return st() !== undefined;
      case '-x': {
        const e = st();
        return e !== undefined && e.type !== 'link' && (e.mode & 0o111) !== 0;
      }
      case '-n':
        return x !== '';
      case '-z':
        return x === '';
    }
  }
  if (args.length === 3) {
    const [a, op, b] = args as [string, string, string];
    const n = (s: string) => Number.parseInt(s, 10);
    switch (op) {
      case '=':
      case '==':
        return a === b;
      case '!=':
        return a !== b;
      case '-eq':
        return n(a) === n(b);
      case '-ne':
        return n(a) !== n(b);
      case '-lt':
        return n(a) < n(b);
      case '-le':
        return n(a) <= n(b);
      case '-gt':
        return n(a) > n(b);
      case '-ge':
        return n(a) >= n(b);
    }
  }
  throw new Error(`test: unsupported expression: ${args.join(' ')}`);
}

function printf(fmt: string, args: string[]): string {
  const esc = (s: string) => s.replace(/\\([nt\\])/g, (_, x: string) => (x === 'n' ? '\n' : x === 't' ? '\t' : '\\'));
  let out = '';
  let i = 0;
  do {
    out += esc(fmt).replace(/%([sd%])/g, (_, k: string) =>
      k === '%' ? '%' : k === 'd' ? String(Number.parseInt(args[i++] ?? '0', 10)) : (args[i++] ?? ''),
    );
  } while (i < args.length && /%[sd]/.test(fmt));
  return out;
}

export const builtins: Record<string, Builtin> = {
  ':': () => 0,
  true: () => 0,
  false: () => 1,
  echo: ({ args, io }) => {
    const n = args[0] === '-n';
    io.out(`${(n ? args.slice(1) : args).join(' ')}${n ? '' : '\n'}`);
    return 0;
  },
  printf: ({ args, io }) => {
    io.out(printf(args[0] ?? '', args.slice(1)));
    return 0;
  },
  test: (c) => {
    try {
      return testExpr(c.args, c) ? 0 : 1;
    } catch (e) {
      return fail(c.io, (e as Error).message, 2);
    }
  },
  '[': (c) =>
    c.args[c.args.length - 1] !== ']'
      ? fail(c.io, '[: missing ]', 2)
      : builtins.test!({ ...c, args: c.args.slice(0, -1) }),
  cat: ({ args, io, shell }) => {
    const { rest } = flags(args);
    if (rest.length === 0) {
      io.out(io.stdin);
      return 0;
    }
    let code = 0;
    for (const f of rest) {
      if (f === '-') {
        io.out(io.stdin);
        continue;
      }
      try {
        const content = shell.world.fs.readFile(shell.path(f));
        if (content === null) code = fail(io, `cat: ${f}: No such file or directory`);
        else io.out(content);
      } catch (e) {
        code = fail(io, `cat: ${f}: ${why(e)}`);
      }
    }
    return code;
  },
  stat: ({ args, io, shell }) => {
    const fmtArg = args.find((a) => a.startsWith('--format=') || a.startsWith('--printf='));
    const { f, values, rest } = flags(
      args.filter((a) => a !== fmtArg),
      'c',
    );
    const fmt = values.get('c') ?? fmtArg?.replace(/^--\w+=/, '');
    if (fmt === undefined) throw new Error('fake stat needs -c FORMAT');
    let code = 0;
    for (const p of rest) {
      const e = f.has('L') ? shell.world.fs.stat(shell.path(p)) : shell.world.fs.lstat(shell.path(p));
      if (!e) code = fail(io, `stat: cannot statx '${p}': No such file or directory`);
      else io.out(`${statFormat(fmt, p, e)}${fmtArg?.startsWith('--printf') ? '' : '\n'}`);
    }
    return code;
  },
  sha256sum: ({ args, io, shell }) => {
    let code = 0;
    for (const p of flags(args).rest) {
      try {
        const content = shell.world.fs.readFile(shell.path(p));
        if (content === null) code = fail(io, `sha256sum: ${p}: No such file or directory`);
        else io.out(`${createHash('sha256').update(content).digest('hex')}  ${p}\n`);
      } catch (e) {
        code = fail(io, `sha256sum: ${p}: ${why(e)}`);
      }
    }
    return code;
  },
  readlink: ({ args, io, shell }) => {
    const { f, rest } = flags(args);
    const p = shell.path(rest[0] ?? '');
    if (f.has('f')) {
      const real = shell.world.fs.realpath(p);
      if (real === undefined) return 1;
      io.out(`${real}\n`);
      return 0;
    }
    const e = shell.world.fs.lstat(p);
    if (e?.type !== 'link') return 1;
    io.out(`${e.target}\n`);
    return 0;
  },
  mkdir: ({ args, io, shell }) => {
    const { f, values, rest } = flags(args, 'm');
    const mode = values.has('m') ? Number.parseInt(values.get('m')!, 8) : undefined;
    let code = 0;
    for (const p of rest) {
      try {
        shell.world.fs.mkdir(shell.path(p), { parents: f.has('p'), ...(mode !== undefined ? { mode } : {}) });
      } catch (e) {
        code = fail(io, `mkdir: cannot create directory '${p}': ${why(e)}`);
      }
    }
    return code;
  },
  rm: ({ args, io, shell }) => {
    const { f, rest } = flags(args);
    let code = 0;
    for (const p of rest) {
      const path = shell.path(p);
      const e = shell.world.fs.lstat(path);
      if (!e) {
        if (!f.has('f')) code = fail(io, `rm: cannot remove '${p}': No such file or directory`);
        continue;
      }
      try {
        shell.world.fs.remove(path, { recursive: f.has('r') || f.has('R') });
      } catch (err) {
        code = fail(io, `rm: cannot remove '${p}': ${why(err)}`);
      }
    }
    return code;
  },
  ln: ({ args, io, shell }) => {
    const { f, rest } = flags(args);
    if (!f.has('s') || rest.length !== 2) throw new Error('fake ln supports only: ln -s[fn] TARGET LINK');
    const [target, link] = rest as [string, string];
    const fs = shell.world.fs;
    let path = shell.path(link);
    const at = f.has('n') ? fs.lstat(path) : fs.stat(path);
    if (at?.type === 'directory') path = posix.join(path, posix.basename(target));
    try {
      if (fs.lstat(path)) {
        if (!f.has('f')) return fail(io, `ln: failed to create symbolic link '${link}': File exists`);
        if (fs.lstat(path)?.type === 'directory') return fail(io, `ln: '${link}': cannot overwrite directory`);
        fs.remove(path);
      }
      fs.symlink(target, path);
      return 0;
    } catch (e) {
      return fail(io, `ln: failed to create symbolic link '${link}': ${why(e)}`);
    }
  },
  chmod: ({ args, io, shell }) => {
    const { rest } = flags(args);
    const [mode, ...paths] = rest;
    if (!mode || !/^[0-7]{3,4}$/.test(mode)) throw new Error(`fake chmod supports octal modes only, got ${mode}`);
    let code = 0;
    for (const p of paths) {
      try {
        shell.world.fs.chmod(shell.path(p), Number.parseInt(mode, 8));
      } catch (e) {
        code = fail(io, `chmod: cannot access '${p}': ${why(e)}`);
      }
    }
    return code;
  },
  chown: ({ args, io, shell }) => {
    const { f, rest } = flags(args);
    const [spec, ...paths] = rest;
    const [owner, group] = (spec ?? '').split(':') as [string, string | undefined];
    let code = 0;
    for (const p of paths) {
      try {
        shell.world.fs.chown(shell.path(p), owner || undefined, group || undefined, f.has('h'));
      } catch (e) {
        code = fail(io, `chown: cannot access '${p}': ${why(e)}`);
      }
    }
    return code;
  },
  chgrp: (c) =>
    builtins.chown!({
      ...c,
      args: c.args.map((a, i) => (i === c.args.findIndex((x) => !x.startsWith('-')) ? `:${a}` : a)),
    }),
  touch: ({ args, io, shell }) => {
    let code = 0;
    for (const p of flags(args).rest) {
      try {
        if (!shell.world.fs.stat(shell.path(p))) shell.world.fs.writeFile(shell.path(p), '');
      } catch (e) {
        code = fail(io, `touch: cannot touch '${p}': ${why(e)}`);
      }
    }
    return code;
  },
  cd: ({ args, io, shell }) => {
    const dir = posix.resolve(shell.state.cwd, args[0] ?? '/root');
    if (shell.world.fs.stat(dir)?.type !== 'directory') return fail(io, `sh: 1: cd: can't cd to ${args[0]}`, 2);
    shell.state.cwd = dir;
    return 0;
  },
  umask: () => 0,
  pwd: ({ io, shell }) => {
    io.out(`${shell.state.cwd}\n`);
    return 0;
  },
  exit: ({ args, shell }) => {
    throw new Exit(args[0] === undefined ? shell.state.status : Number.parseInt(args[0], 10));
  },
  sleep: ({ args, shell }) => {
    shell.world.clock.now += Number.parseFloat(args[0] ?? '0') || 0;
    return 0;
  },
  date: ({ args, io, shell }) => {
    io.out(
      args[0] === '+%s'
        ? `${Math.floor(shell.world.clock.now)}\n`
        : `${new Date(shell.world.clock.now * 1000).toUTCString()}\n`,
    );
    return 0;
  },
  timeout: ({ args, io, shell }) => {
    const { rest } = flags(args, 'ks', false);
    return rest.length > 1 ? shell.command(rest.slice(1), io) : fail(io, 'timeout: missing operand', 125);
  },
  sh: ({ args, io, shell }) => {
    if (args[0] !== '-c' || args[1] === undefined)
      throw new Error('fake sh supports only: sh -c SCRIPT [NAME ARGS...]');
    return shell.child(args.slice(3), args[2] ?? 'sh').script(args[1], io);
  },
  exec: ({ args, io, shell }) => {
    if (args.length === 0) return 0;
    throw new Exit(shell.command(args, io));
  },
  id: ({ args, io }) => {
    io.out(args.includes('-u') ? '0\n' : args.includes('-un') ? 'root\n' : 'uid=0(root) gid=0(root) groups=0(root)\n');
    return 0;
  },
};
builtins.bash = builtins.sh!;
