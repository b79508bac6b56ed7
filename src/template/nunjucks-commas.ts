// Jinja2's trailing commas in nunjucks' parser: `[1, 2,]`, `{'a': 1,}`, `f(x,)`, and `(1,)` / `()` as tuples.
import nunjucks from 'nunjucks';

interface Token {
  type: string;
  value: string;
  lineno: number;
  colno: number;
}
interface PNode {
  lineno: number;
  colno: number;
  children: PNode[];
  addChild(n: PNode): void;
}
interface Parser {
  nextToken(): Token;
  peekToken(): Token;
  skip(type: string): boolean;
  skipValue(type: string, value: string): boolean;
  fail(message: string, lineno?: number, colno?: number): never;
  parsePrimary(): PNode;
  parseExpression(): PNode;
}
type NodeClass = new (lineno: number, colno: number, ...rest: unknown[]) => PNode;

const CLOSERS = ['right-paren', 'right-bracket', 'right-curly'];
const CLOSER_OF: Record<string, string> = { 'left-paren': ')', 'left-bracket': ']', 'left-curly': '}' };

/** Replaces the parser's list/dict/tuple and call-argument rules; run before installJinjaCompat, which wraps the first. */
export function installTrailingCommas(): void {
  const lib = nunjucks as unknown as {
    parser: { Parser: { prototype: Record<string, unknown> } };
    nodes: Record<string, NodeClass>;
  };
  const N = lib.nodes;
  Object.assign(lib.parser.Parser.prototype, {
    parseAggregate(this: Parser): PNode | null {
      const tok = this.nextToken();
      const kind = { 'left-paren': N.Group!, 'left-bracket': N.Array!, 'left-curly': N.Dict! }[tok.type];
      if (!kind) return null;
      let node = new kind(tok.lineno, tok.colno);
      let trailing = false;
      while (!CLOSERS.includes(this.peekToken().type)) {
        if (node.children.length > 0 && !this.skip('comma'))
          this.fail('parseAggregate: expected comma after expression', tok.lineno, tok.colno);
        if (node.children.length > 0 && CLOSERS.includes(this.peekToken().type)) {
          trailing = true;
          break;
        }
        if (kind === N.Dict) {
          const key = this.parsePrimary();
          if (!this.skip('colon')) this.fail('parseAggregate: expected colon after dict key', tok.lineno, tok.colno);
          node.addChild(new N.Pair!(key.lineno, key.colno, key, this.parseExpression()));
        } else node.addChild(this.parseExpression());
      }
      const end = this.nextToken();
      if (end.value !== CLOSER_OF[tok.type])
        this.fail(`unexpected '${end.value}', expected '${CLOSER_OF[tok.type]}'`, end.lineno, end.colno);
      // `(x,)` and `()` are tuples, which are lists here; `(x)` stays a parenthesised expression
      if (kind === N.Group && (trailing || node.children.length === 0))
        node = new N.Array!(node.lineno, node.colno, node.children);
      return node;
    },
    parseSignature(this: Parser, tolerant: boolean, noParens: boolean): PNode | null {
      let tok = this.peekToken();
      if (!noParens && tok.type !== 'left-paren') {
        if (tolerant) return null;
        this.fail('expected arguments', tok.lineno, tok.colno);
      }
      if (tok.type === 'left-paren') tok = this.nextToken();
      const args = new N.NodeList!(tok.lineno, tok.colno);
      const kwargs = new N.KeywordArgs!(tok.lineno, tok.colno);
      const closes = (t: Token) => (noParens ? t.type === 'block-end' : t.type === 'right-paren');
      let first = true;
      for (;;) {
        tok = this.peekToken();
        if (closes(tok)) break;
        if (!first) {
          if (!this.skip('comma')) this.fail('parseSignature: expected comma after expression', tok.lineno, tok.colno);
          if (closes(this.peekToken())) break;
        }
        const arg = this.parseExpression();
        if (this.skipValue('operator', '='))
          kwargs.addChild(new N.Pair!(arg.lineno, arg.colno, arg, this.parseExpression()));
        else args.addChild(arg);
        first = false;
      }
      if (!noParens) this.nextToken();
      if (kwargs.children.length > 0) args.addChild(kwargs);
      return args;
    },
  });
}
