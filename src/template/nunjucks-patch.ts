// Makes nunjucks evaluate as Jinja2 does under Ansible: Python operators, truthiness, strict Undefined, value printing.
import nunjucks from 'nunjucks';
import { installTrailingCommas } from './nunjucks-commas.js';
import * as py from './python.js';
import { Undefined, defined, toText } from './values.js';

/** Whether a filter or test exists: an unknown one is a compile (load-time) error, never a run-time surprise. */
let known: (kind: 'filter' | 'test', name: string) => boolean = () => true;
export const setKnown = (fn: typeof known) => {
  known = fn;
};

/** Resolves a name that is neither a loop nor a `{% set %}` variable (set by the renderer for each render). */
export type NameResolver = (name: string) => unknown;
let resolveName: NameResolver = (name) => new Undefined(name);
export function withResolver<T>(r: NameResolver, fn: () => T): T {
  const saved = resolveName;
  resolveName = r;
  try {
    return fn();
  } finally {
    resolveName = saved;
  }
}

interface Frame {
  lookup(name: string): unknown;
}
interface CNode {
  typename: string;
  lineno: number;
  colno: number;
  value?: unknown;
  target?: CNode;
  val?: CNode;
  left?: CNode;
  right?: CNode;
  cond?: CNode;
  body?: CNode;
  else_?: CNode | null;
  expr?: CNode;
  ops?: { type: string; expr: CNode }[];
}
interface Compiler {
  compile(node: CNode, frame: unknown): void;
  _emit(code: string): void;
  _compileExpression(node: CNode, frame: unknown): void;
  fail(message: string, lineno?: number, colno?: number): never;
}

/** The source path of a lookup target for messages: `result.stdout`, `list[0]`. */
function nameOf(node: CNode | undefined): string {
  if (!node) return '?';
  if (node.typename === 'Symbol') return String(node.value);
  if (node.typename === 'LookupVal') {
    const key = node.val?.typename === 'Literal' ? node.val.value : undefined;
    const base = nameOf(node.target);
    return typeof key === 'number' ? `${base}[${key}]` : typeof key === 'string' ? `${base}.${key}` : `${base}[?]`;
  }
  return '(expression)';
}

let installed = false;

/** Installs the Python semantics once per process (nunjucks' runtime is a module singleton). */
export function installPythonSemantics(): void {
  if (installed) return;
  installed = true;
  installTrailingCommas(); // first: installJinjaCompat wraps the aggregate rule it installs
  nunjucks.installJinjaCompat(); // slices `x[1:3]` in the parser; its lookups are replaced below
  const rt = nunjucks.runtime as unknown as Record<string, unknown>;
  const rtLookupName = (_context: unknown, frame: Frame, name: string) => {
    const v = frame.lookup(name);
    return v !== undefined ? v : resolveName(name);
  };
  const fromIterator = rt.fromIterator as (a: unknown) => unknown;
  Object.assign(rt, {
    fromIterator: (a: unknown) => fromIterator(defined(a)),
    contextOrFrameLookup: rtLookupName,
    suppressValue: (v: unknown) => toText(v),
    memberLookup: (obj: unknown, key: unknown, ...rest: unknown[]) => py.lookup('?', obj, key, ...rest),
    callWrap: py.call,
    inOperator: py.inOperator,
    pyLookup: py.lookup,
    pyAdd: py.add,
    pyConcat: py.concat,
    pyArith: py.arith,
    pyCompare: py.compare,
    pyTruthy: py.truthy,
  });
  const proto = (nunjucks as unknown as { compiler: { Compiler: { prototype: Record<string, unknown> } } }).compiler
    .Compiler.prototype;
  const nodes = (nunjucks as unknown as { nodes: Record<string, { prototype: object }> }).nodes;
  /** A node compiled as `runtime.pyTruthy(expr)`; it passes the compiler's type checks as a `not` node. */
  const truthyNode = (expr: CNode): CNode =>
    Object.defineProperties(Object.create(nodes.Not!.prototype), {
      typename: { value: 'PyTruthy' },
      target: { value: expr },
      lineno: { value: expr.lineno },
      colno: { value: expr.colno },
    });
  const binary = (fn: string) =>
    function (this: Compiler, node: CNode, frame: unknown) {
      this._emit(`runtime.${fn}(`);
      this.compile(node.left!, frame);
      this._emit(',');
      this.compile(node.right!, frame);
      this._emit(')');
    };
  const arith = (op: string) =>
    function (this: Compiler, node: CNode, frame: unknown) {
      this._emit(`runtime.pyArith(${JSON.stringify(op)},`);
      this.compile(node.left!, frame);
      this._emit(',');
      this.compile(node.right!, frame);
      this._emit(')');
    };
  const origGroup = proto.compileGroup as (this: Compiler, node: CNode, frame: unknown) => void;
  const aggregate = (c: Compiler, node: CNode, frame: unknown) =>
    (c as unknown as { _compileAggregate(n: CNode, f: unknown): void })._compileAggregate(node, frame);
  const origFilter = proto.compileFilter as (this: Compiler, node: CNode, frame: unknown) => void;
  const origSymbol = proto.compileSymbol as (this: Compiler, node: CNode, frame: unknown) => void;
  const origIf = proto.compileIf as (this: Compiler, node: CNode, frame: unknown, async?: boolean) => void;
  Object.assign(proto, {
    compilePyTruthy(this: Compiler, node: CNode, frame: unknown) {
      this._emit('runtime.pyTruthy(');
      this.compile(node.target!, frame);
      this._emit(')');
    },
    compileIf(this: Compiler, node: CNode, frame: unknown, async?: boolean) {
      if (node.cond && node.cond.typename !== 'PyTruthy') node.cond = truthyNode(node.cond);
      origIf.call(this, node, frame, async);
    },
    /** `x is version('1.9', '>=')`: a test's arguments separated by commas (nunjucks joins them without). */
    compileFilter(this: Compiler, node: CNode & { name: CNode }, frame: unknown) {
      const name = String(node.name.value);
      if (!known('filter', name)) this.fail(`unknown filter "${name}"`, node.name.lineno, node.name.colno);
      origFilter.call(this, node, frame);
    },
    compileIs(this: Compiler, node: CNode & { right: CNode & { name?: CNode; args?: CNode } }, frame: unknown) {
      const raw = node.right.name ? node.right.name.value : node.right.value;
      const name = raw === null ? 'none' : String(raw); // `is none`, `is true`: the parser reads literals
      const at = node.right.name ?? node.right;
      if (!known('test', name)) this.fail(`unknown test "${name}"`, at.lineno, at.colno);
      this._emit(`env.getTest(${JSON.stringify(name)}).call(context, `);
      this.compile(node.left!, frame);
      if (node.right.args) {
        this._emit(',');
        aggregate(this, node.right.args, frame);
      }
      this._emit(') === true');
    },
    /** Names record where they are, so an undefined one is reported at its line and column. */
    compileSymbol(this: Compiler, node: CNode, frame: unknown) {
      this._emit(`(lineno = ${node.lineno}, colno = ${node.colno}, `);
      origSymbol.call(this, node, frame);
      this._emit(')');
    },
    compileLookupVal(this: Compiler, node: CNode, frame: unknown) {
      this._emit(`runtime.pyLookup(${JSON.stringify(nameOf(node.target))},`);
      this._compileExpression(node.target!, frame);
      this._emit(',');
      this._compileExpression(node.val!, frame);
      this._emit(')');
    },
    compileAdd: binary('pyAdd'),
    compileSub: arith('-'),
    compileMul: arith('*'),
    compileDiv: arith('/'),
    compileFloorDiv: arith('//'),
    compileMod: arith('%'),
    compilePow: arith('**'),
    /** `(1, 2)` is a tuple (a list here), not JavaScript's comma operator. */
    compileGroup(this: Compiler, node: CNode & { children?: CNode[] }, frame: unknown) {
      if ((node.children?.length ?? 0) < 2) return origGroup.call(this, node, frame);
      this._emit('[');
      node.children!.forEach((c, i) => {
        if (i > 0) this._emit(',');
        this._compileExpression(c, frame);
      });
      this._emit(']');
    },
    compileConcat: binary('pyConcat'),
    compileOr(this: Compiler, node: CNode, frame: unknown) {
      this._emit('(function(l){return runtime.pyTruthy(l)?l:(');
      this.compile(node.right!, frame);
      this._emit(');})(');
      this.compile(node.left!, frame);
      this._emit(')');
    },
    compileAnd(this: Compiler, node: CNode, frame: unknown) {
      this._emit('(function(l){return runtime.pyTruthy(l)?(');
      this.compile(node.right!, frame);
      this._emit('):l;})(');
      this.compile(node.left!, frame);
      this._emit(')');
    },
    compileNot(this: Compiler, node: CNode, frame: unknown) {
      this._emit('!runtime.pyTruthy(');
      this.compile(node.target!, frame);
      this._emit(')');
    },
    compileInlineIf(this: Compiler, node: CNode, frame: unknown) {
      this._emit('(runtime.pyTruthy(');
      this.compile(node.cond!, frame);
      this._emit(')?');
      this.compile(node.body!, frame);
      this._emit(':');
      if (node.else_) this.compile(node.else_, frame);
      else this._emit('null');
      this._emit(')');
    },
    compileCompare(this: Compiler, node: CNode, frame: unknown) {
      const ops = node.ops ?? [];
      this._emit('(');
      ops.forEach((op, i) => {
        if (i > 0) this._emit(' && ');
        this._emit('runtime.pyCompare(');
        this.compile(i === 0 ? node.expr! : ops[i - 1]!.expr, frame);
        this._emit(`,${JSON.stringify(op.type)},`);
        this.compile(op.expr, frame);
        this._emit(')');
      });
      this._emit(')');
    },
  });
}
