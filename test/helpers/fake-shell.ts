// Runs sh scripts against the fake filesystem: enough of POSIX sh for facts, module steps and tests.
import { arithWord, parse, Unsupported, type Node, type Redir, type Word } from './fake-shell-syntax.js';
import { builtins } from './fake-shell-builtins.js';
import type { FakeFs } from './fake-fs.js';

export { Unsupported };

/** An external program the tests provide (e.g. `kato`): gets argv (without the name) and stdin. */
export type Program = (
  args: string[],
  io: { stdin: string; cwd: string },
) => number | { code?: number; stdout?: string; stderr?: string };

/** The machine a script runs on. */
export interface ShellWorld {
  fs: FakeFs;
  /** Seconds since the epoch; `sleep` advances it and `date +%s` reads it, so polling loops end. */
  clock: { now: number };
  /** Whether a TCP connection to host:port would succeed (`/dev/tcp/HOST/PORT`). */
  connect(host: string, port: number): boolean;
  program(name: string): Program | undefined;
}

export interface IO {
  stdin: string;
  out(s: string): void;
  err(s: string): void;
}
export interface ShellState {
  cwd: string;
  vars: Map<string, string>;
  positional: string[];
  name: string;
  status: number;
}

/** `exit N` unwinds to the nearest shell (script, subshell, sh -c, $(...)). */
export class Exit {
  constructor(readonly code: number) {}
}

const MAX_LOOPS = 100_000;

export class Shell {
  constructor(
    readonly world: ShellWorld,
    readonly state: ShellState,
  ) {}

  static run(
    world: ShellWorld,
    script: string,
    o: { stdin?: string; cwd?: string; positional?: string[]; name?: string } = {},
  ): { code: number; stdout: string; stderr: string } {
    let stdout = '';
    let stderr = '';
    const io: IO = {
      stdin: o.stdin ?? '',
      out: (s) => {
        stdout += s;
      },
      err: (s) => {
        stderr += s;
      },
    };
    const shell = new Shell(world, {
      cwd: o.cwd ?? '/root',
      vars: new Map(),
      positional: o.positional ?? [],
      name: o.name ?? 'sh',
      status: 0,
    });
    let code: number;
    try {
      code = shell.script(script, io);
    } catch (e) {
      if (!(e instanceof Unsupported)) throw e;
      io.err(`fake-shell: unsupported: ${e.message}\n  in: ${script}\n`);
      code = 2;
    }
    return { code, stdout, stderr };
  }

  /** Runs a script in this shell, returning its status (exit included). */
  script(src: string, io: IO): number {
    try {
      return this.exec(parse(src), io);
    } catch (e) {
      if (e instanceof Exit) return e.code;
      throw e;
    }
  }

  /** A child shell: same world and cwd, copied variables. */
  child(positional = this.state.positional, name = this.state.name): Shell {
    return new Shell(this.world, { ...this.state, vars: new Map(this.state.vars), positional, name });
  }

  exec(n: Node, io: IO): number {
    const status = this.node(n, io);
    this.state.status = status;
    return status;
  }

  private node(n: Node, io: IO): number {
    switch (n.k) {
      case 'seq': {
        let s = 0;
        for (const item of n.items) s = this.exec(item, io);
        return s;
      }
      case 'and': {
        const s = this.exec(n.left, io);
        return s === 0 ? this.exec(n.right, io) : s;
      }
      case 'or': {
        const s = this.exec(n.left, io);
        return s !== 0 ? this.exec(n.right, io) : s;
      }
      case 'not':
        return this.exec(n.body, io) === 0 ? 1 : 0;
      case 'pipe': {
        let input = io.stdin;
        let s = 0;
        n.cmds.forEach((c, idx) => {
          let buf = '';
          const last = idx === n.cmds.length - 1;
          s = this.child().exec(c, {
            stdin: input,
            out: last
              ? io.out
              : (x) => {
                  buf += x;
                },
            err: io.err,
          });
          input = buf;
        });
        return s;
      }
      case 'group':
        return this.redirected(n.redirs, io, (rio) => {
          if (!n.subshell) return this.exec(n.body, rio);
          const sub = this.child();
          try {
            return sub.exec(n.body, rio);
          } catch (e) {
            if (e instanceof Exit) return e.code;
            throw e;
          }
        });
      case 'if':
        return this.redirected(n.redirs, io, (rio) => {
          for (const [cond, body] of n.branches) if (this.exec(cond, rio) === 0) return this.exec(body, rio);
          return n.otherwise ? this.exec(n.otherwise, rio) : 0;
        });
      case 'loop':
        return this.redirected(n.redirs, io, (rio) => {
          let s = 0;
          for (let i = 0; ; i++) {
            if (i > MAX_LOOPS)
              throw new Unsupported('a loop ran 100000 times (nothing it waits for changes in the fake?)');
            const c = this.exec(n.cond, rio);
            if ((c === 0) === n.until) return s;
            s = this.exec(n.body, rio);
          }
        });
      case 'for':
        return this.redirected(n.redirs, io, (rio) => {
          let s = 0;
          for (const item of n.items.map((w) => this.expand(w))) {
            this.state.vars.set(n.name, item);
            s = this.exec(n.body, rio);
          }
          return s;
        });
      case 'simple': {
        const argv = n.words.map((w) => this.expand(w));
        if (argv.length === 0) {
          for (const [name, w] of n.assigns) this.state.vars.set(name, this.expand(w));
          return this.redirected(n.redirs, io, () => 0);
        }
        return this.redirected(n.redirs, io, (rio) => this.command(argv, rio));
      }
    }
  }

  /** Runs one command: a builtin, a test-provided program, or "not found". */
  command(argv: string[], io: IO): number {
    const [name, ...args] = argv as [string, ...string[]];
    // /bin/sh, /usr/bin/stat ... are the same commands as sh and stat.
    const builtin =
      builtins[name] ?? (name.startsWith('/') ? builtins[name.slice(name.lastIndexOf('/') + 1)] : undefined);
    if (builtin) {
      try {
        return builtin({ args, io, shell: this });
      } catch (e) {
        if (e instanceof Exit || e instanceof Unsupported) throw e;
        throw new Unsupported((e as Error).message);
      }
    }
    const program = this.world.program(name);
    if (program) {
      const r = program(args, { stdin: io.stdin, cwd: this.state.cwd });
      if (typeof r === 'number') return r;
      if (r.stdout) io.out(r.stdout);
      if (r.stderr) io.err(r.stderr);
      return r.code ?? 0;
    }
    io.err(`sh: 1: ${name}: not found\n`);
    return 127;
  }

  expand(w: Word): string {
    let s = '';
    for (const p of w.parts) {
      if (p.t === 'lit') s += p.s;
      else if (p.t === 'var') s += this.variable(p.name);
      else if (p.t === 'cmd') {
        let out = '';
        const sub = this.child();
        this.state.status = sub.script(p.src, {
          stdin: '',
          out: (x) => {
            out += x;
          },
          err: () => {},
        });
        s += out.replace(/\n+$/, '');
      } else s += String(arith(this.expand(arithWord(p.src)), (name) => this.variable(name)));
    }
    return s;
  }

  private variable(name: string): string {
    if (/^[0-9]+$/.test(name)) return name === '0' ? this.state.name : (this.state.positional[Number(name) - 1] ?? '');
    if (name === '?') return String(this.state.status);
    if (name === '#') return String(this.state.positional.length);
    if (name === '@' || name === '*') return this.state.positional.join(' ');
    if (name === '$') return '4242';
    return this.state.vars.get(name) ?? '';
  }

  /** Applies redirections around `body`; a failed redirection fails the command with status 1. */
  private redirected(redirs: Redir[], io: IO, body: (io: IO) => number): number {
    let cur = io;
    for (const r of redirs) {
      const target = this.expand(r.target);
      const next = this.redirect(r, target, cur);
      if (typeof next === 'string') {
        cur.err(next);
        return 1;
      }
      cur = next;
    }
    return body(cur);
  }

  private redirect(r: Redir, target: string, io: IO): IO | string {
    const fs = this.world.fs;
    const sink = (fd: number, fn: (s: string) => void): IO =>
      fd === 2 ? { ...io, err: fn } : fd === 1 ? { ...io, out: fn } : io;
    if (r.op === '>&' || r.op === '<&') {
      if (target === '-') return sink(r.fd, () => {});
      if (target === '1') return sink(r.fd, io.out);
      if (target === '2') return sink(r.fd, io.err);
      return io;
    }
    const tcp = /^\/dev\/tcp\/([^/]+)\/([0-9]+)$/.exec(target);
    if (tcp)
      return this.world.connect(tcp[1]!, Number(tcp[2]))
        ? sink(r.fd, () => {})
        : `sh: connect: Connection refused\nsh: ${target}: Connection refused\n`;
    if (target === '/dev/null')
      return r.op === '<' || r.op === '<>' ? (r.fd === 0 ? { ...io, stdin: '' } : io) : sink(r.fd, () => {});
    if (target === '/dev/stderr') return sink(r.fd, io.err);
    if (target === '/dev/stdout') return sink(r.fd, io.out);
    const path = this.path(target);
    try {
      if (r.op === '<') {
        const content = fs.readFile(path);
        if (content === null) return `sh: 1: cannot open ${target}: No such file\n`;
        return r.fd === 0 ? { ...io, stdin: content } : io;
      }
      if (r.op === '>' || (r.op === '<>' && fs.readFile(path) === null)) fs.writeFile(path, '');
      return sink(r.fd, (s) => fs.writeFile(path, (fs.readFile(path) ?? '') + s));
    } catch (e) {
      return `sh: 1: cannot create ${target}: ${(e as Error).message.replace(/^.*: /, '')}\n`;
    }
  }

  /** A path made absolute against the shell's working directory. */
  path(p: string): string {
    return p.startsWith('/') ? p : `${this.state.cwd.replace(/\/$/, '')}/${p}`;
  }
}

/** $(( ... )): integers, variables, + - * / %, comparisons, parentheses. */
export function arith(src: string, lookup: (name: string) => string): number {
  const toks = src.match(/\$?[A-Za-z_][A-Za-z0-9_]*|\$[0-9]|[0-9]+|<=|>=|==|!=|&&|\|\||[-+*/%()<>!]/g) ?? [];
  let i = 0;
  const prec: Record<string, number> = {
    '||': 1,
    '&&': 2,
    '==': 3,
    '!=': 3,
    '<': 4,
    '>': 4,
    '<=': 4,
    '>=': 4,
    '+': 5,
    '-': 5,
    '*': 6,
    '/': 6,
    '%': 6,
  };
  const atom = (): number => {
    const t = toks[i++];
    if (t === undefined) throw new Unsupported(`arithmetic: ${src}`);
    if (t === '(') {
      const v = expr(0);
      i++;
      return v;
    }
    if (t === '-') return -atom();
    if (t === '!') return atom() ? 0 : 1;
    if (/^[0-9]+$/.test(t)) return Number(t);
    const v = lookup(t.replace(/^\$/, ''));
    return v === '' ? 0 : Number(v);
  };
  const expr = (min: number): number => {
    let left = atom();
    for (let op = toks[i]; op && (prec[op] ?? 0) > min; op = toks[i]) {
      i++;
      const right = expr(prec[op]!);
      left = applyOp(op, left, right);
    }
    return left;
  };
  return expr(0);
}

function applyOp(op: string, a: number, b: number): number {
  switch (op) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      return Math.trunc(a / b);
    case '%':
      return a % b;
    case '<':
      return Number(a < b);
    case '>':
      return Number(a > b);
    case '<=':
      return Number(a <= b);
    case '>=':
      return Number(a >= b);
    case '==':
      return Number(a === b);
    case '!=':
      return Number(a !== b);
    case '&&':
      return Number(Boolean(a && b));
    default:
      return Number(Boolean(a || b));
  }
}
