// Parser of Ansible-style conditions with Jinja's precedence: or < and < not < comparisons < math < filters/tests.
import { didYouMean } from '../suggest.js';
import type { Ast, CompareOp, MathOp } from './expr-ast.js';
import { syntaxError, tokenize, type Token } from './expr-lex.js';
import { FILTERS, METHODS, TESTS } from './expr-functions.js';
import { toRegExp } from './expr-values.js';

const LITERALS: Record<string, unknown> = {
  true: true,
  True: true,
  false: false,
  False: false,
  none: null,
  None: null,
};
const KEYWORDS = new Set(['and', 'or', 'not', 'in', 'is', 'if', 'else']);
const COMPARE = new Set(['==', '!=', '<', '>', '<=', '>=']);

class Parser {
  private i = 0;
  constructor(
    private readonly text: string,
    private readonly toks: Token[],
  ) {}

  private peek(ahead = 0): Token {
    return this.toks[Math.min(this.i + ahead, this.toks.length - 1)]!;
  }
  private next(): Token {
    return this.toks[this.i++]!;
  }
  /** Steps past the current token, then parses what follows it. */
  private skipThen<T>(parse: () => T): T {
    this.i++;
    return parse();
  }

  private isOp(v: string, ahead = 0): boolean {
    const t = this.peek(ahead);
    return t.t === 'op' && t.v === v;
  }
  private isWord(v: string, ahead = 0): boolean {
    const t = this.peek(ahead);
    return t.t === 'name' && t.v === v;
  }

  private fail(tok: Token, what: string, hint?: string): never {
    throw syntaxError(this.text, tok.at, what, hint);
  }
  private shown(tok: Token): string {
    if (tok.t === 'end') return 'end of expression';
    if (tok.t === 'str') return 'a string';
    return `"${tok.v}"`;
  }
  private expectOp(v: string): void {
    if (!this.isOp(v)) this.fail(this.peek(), `expected "${v}", found ${this.shown(this.peek())}`);
    this.i++;
  }

  parse(): Ast {
    if (this.peek().t === 'end') this.fail(this.peek(), 'empty expression');
    const e = this.expr();
    if (this.peek().t !== 'end') this.fail(this.peek(), `unexpected ${this.shown(this.peek())}`);
    return e;
  }

  private expr(): Ast {
    const then = this.or();
    if (!this.isWord('if')) return then;
    this.i++;
    const test = this.or();
    if (!this.isWord('else')) return { k: 'cond', test, then };
    this.i++;
    return { k: 'cond', test, then, else: this.expr() };
  }

  private or(): Ast {
    let l = this.and();
    while (this.isWord('or')) {
      this.i++;
      l = { k: 'or', l, r: this.and() };
    }
    return l;
  }

  private and(): Ast {
    let l = this.not();
    while (this.isWord('and')) {
      this.i++;
      l = { k: 'and', l, r: this.not() };
    }
    return l;
  }

  private not(): Ast {
    if (this.isWord('not')) {
      this.i++;
      return { k: 'not', e: this.not() };
    }
    return this.compare();
  }

  private compareOp(): CompareOp | undefined {
    const t = this.peek();
    if (t.t === 'op' && COMPARE.has(t.v)) {
      this.i++;
      return t.v as CompareOp;
    }
    if (this.isWord('in')) {
      this.i++;
      return 'in';
    }
    if (this.isWord('not') && this.isWord('in', 1)) {
      this.i += 2;
      return 'not in';
    }
    return undefined;
  }

  /** Chained comparisons (`1 < x < 5`) mean each pair holds, as in Python. */
  private compare(): Ast {
    let left = this.math(0);
    let out: Ast | undefined;
    for (let op = this.compareOp(); op; op = this.compareOp()) {
      const right = this.math(0);
      const cmp: Ast = { k: 'cmp', op, l: left, r: right };
      out = out ? { k: 'and', l: out, r: cmp } : cmp;
      left = right;
    }
    return out ?? left;
  }

  private static readonly LEVELS: MathOp[][] = [['+', '-'], ['~'], ['*', '/', '//', '%'], ['**']];

  private math(level: number): Ast {
    const ops = Parser.LEVELS[level];
    if (!ops) return this.unary();
    let l = this.math(level + 1);
    for (let t = this.peek(); t.t === 'op' && (ops as string[]).includes(t.v); t = this.peek()) {
      this.i++;
      l = { k: 'math', op: t.v as MathOp, l, r: this.math(level + 1) };
    }
    return l;
  }

  private unary(): Ast {
    if (this.isOp('-')) {
      this.i++;
      return { k: 'neg', e: this.unary() };
    }
    if (this.isOp('+')) {
      this.i++;
      return this.unary();
    }
    return this.filters(this.postfix(this.primary()));
  }

  private primary(): Ast {
    const t = this.next();
    if (t.t === 'num' || t.t === 'str') return { k: 'lit', v: t.v };
    if (t.t === 'name') {
      if (Object.hasOwn(LITERALS, t.v)) return { k: 'lit', v: LITERALS[t.v] };
      if (KEYWORDS.has(t.v)) this.fail(t, `expected a value, found keyword "${t.v}"`);
      return { k: 'var', name: t.v };
    }
    if (t.t === 'op' && t.v === '(') {
      const e = this.expr();
      if (!this.isOp(',')) {
        this.expectOp(')');
        return e;
      }
      const items = [e];
      while (this.isOp(',')) {
        this.i++;
        if (this.isOp(')')) break;
        items.push(this.expr());
      }
      this.expectOp(')');
      return { k: 'list', items };
    }
    if (t.t === 'op' && t.v === '[') return { k: 'list', items: this.seq(']') };
    if (t.t === 'op' && t.v === '{') {
      const entries: [Ast, Ast][] = [];
      while (!this.isOp('}')) {
        const key = this.expr();
        this.expectOp(':');
        entries.push([key, this.expr()]);
        if (!this.isOp(',')) break;
        this.i++;
      }
      this.expectOp('}');
      return { k: 'dict', entries };
    }
    return this.fail(t, `expected a value, found ${this.shown(t)}`);
  }

  /** Comma-separated expressions up to `close` (trailing comma allowed); the opener is consumed. */
  private seq(close: string): Ast[] {
    const items: Ast[] = [];
    while (!this.isOp(close)) {
      items.push(this.expr());
      if (!this.isOp(',')) break;
      this.i++;
    }
    this.expectOp(close);
    return items;
  }

  private postfix(node: Ast): Ast {
    for (;;) {
      if (this.isOp('.')) {
        this.i++;
        const t = this.next();
        if (t.t !== 'name' && t.t !== 'num')
          this.fail(t, `expected an attribute name after ".", found ${this.shown(t)}`);
        if (!this.isOp('(')) {
          node = { k: 'get', obj: node, key: { k: 'lit', v: t.v } };
          continue;
        }
        const method = String(t.v);
        if (!Object.hasOwn(METHODS, method))
          this.fail(t, `unknown method "${method}()"`, hintFor(method, Object.keys(METHODS)));
        this.i++;
        node = { k: 'call', obj: node, method, args: this.seq(')') };
      } else if (this.isOp('[')) {
        this.i++;
        const key = this.expr();
        this.expectOp(']');
        node = { k: 'get', obj: node, key };
      } else if (this.isOp('(')) {
        this.fail(this.peek(), 'function calls are not supported', 'use filters ("x | int") or tests ("x is defined")');
      } else {
        return node;
      }
    }
  }

  private filters(node: Ast): Ast {
    for (;;) {
      if (this.isOp('|')) {
        this.i++;
        const t = this.next();
        if (t.t !== 'name') this.fail(t, `expected a filter name after "|", found ${this.shown(t)}`);
        if (!Object.hasOwn(FILTERS, t.v)) this.fail(t, `unknown filter "${t.v}"`, hintFor(t.v, Object.keys(FILTERS)));
        const args = this.isOp('(') ? this.skipThen(() => this.seq(')')) : [];
        node = { k: 'filter', e: node, name: t.v, args };
      } else if (this.isWord('is')) {
        this.i++;
        const negate = this.isWord('not') && this.skipThen(() => true);
        const t = this.next();
        if (t.t !== 'name') this.fail(t, `expected a test name after "is", found ${this.shown(t)}`);
        if (!Object.hasOwn(TESTS, t.v)) this.fail(t, `unknown test "${t.v}"`, hintFor(t.v, Object.keys(TESTS)));
        const bare = this.peek().t === 'num' || this.peek().t === 'str';
        const args = this.isOp('(') ? this.skipThen(() => this.seq(')')) : bare ? [this.primary()] : [];
        if (['match', 'search', 'regex'].includes(t.v)) this.checkRegex(t, args[0]);
        node = { k: 'test', e: node, name: t.v, args, negate };
      } else {
        return node;
      }
    }
  }

  private checkRegex(t: Token, arg: Ast | undefined): void {
    if (!arg) this.fail(t, `the "${t.v}" test needs a pattern: ${t.v}('regex')`);
    if (arg.k !== 'lit' || typeof arg.v !== 'string') return;
    try {
      toRegExp(arg.v, 'search');
    } catch (e) {
      this.fail(t, `bad regular expression: ${(e as Error).message}`);
    }
  }
}

const hintFor = (word: string, names: string[]): string => didYouMean(word, names) ?? `known: ${names.join(', ')}`;

/** Parses one expression (no `{{ }}` wrapper); throws ExprError E_EXPR_SYNTAX. */
export function parseExpression(text: string): Ast {
  return new Parser(text, tokenize(text)).parse();
}
