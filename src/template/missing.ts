// Finding which variable a failed Handlebars render was missing, by resolving its paths against the vars.
import { helpers } from './helpers.js';

type Node = hbs.AST.Node & { type: string };
type Call = hbs.AST.MustacheStatement | hbs.AST.BlockStatement | hbs.AST.SubExpression;

function resolves(ctx: unknown, parts: readonly string[]): boolean {
  let cur = ctx;
  for (const p of parts) {
    if (cur === null || typeof cur !== 'object' || !Object.hasOwn(cur, p)) return false;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur !== undefined;
}

const isHelperName = (p: hbs.AST.PathExpression) =>
  Object.hasOwn(helpers, p.original) || p.original === '__expr' || p.original === '__out';

/**
 * The first top-level path (outside block bodies, which have another context) that does not
 * resolve against `ctx`, skipping helper names and the value given to `default`.
 */
export function missingPath(ast: hbs.AST.Program, ctx: Record<string, unknown>): string | undefined {
  const visit = (node: Node | undefined): string | undefined => {
    if (!node) return undefined;
    if (node.type === 'PathExpression') {
      const p = node as hbs.AST.PathExpression;
      if (p.data || p.depth > 0 || p.parts.length === 0) return undefined;
      return resolves(ctx, p.parts) ? undefined : p.original;
    }
    if (node.type === 'MustacheStatement' || node.type === 'BlockStatement' || node.type === 'SubExpression') {
      const c = node as Call;
      const path = c.path as hbs.AST.PathExpression;
      const call = c.params.length > 0 || (c.hash?.pairs.length ?? 0) > 0 || isHelperName(path);
      const params = path.original === 'default' ? c.params.slice(1) : c.params;
      for (const n of [...(call ? [] : [path]), ...params, ...(c.hash?.pairs.map((p) => p.value) ?? [])]) {
        const found = visit(n as Node);
        if (found) return found;
      }
    }
    return undefined;
  };
  for (const s of ast.body) {
    const found = visit(s as Node);
    if (found) return found;
  }
  return undefined;
}

/** The first helper called with arguments (anywhere, blocks included) that is not registered. */
export function unknownHelper(ast: hbs.AST.Program, known: (name: string) => boolean): string | undefined {
  const visit = (node: Node | undefined): string | undefined => {
    if (!node || typeof node !== 'object') return undefined;
    if (node.type === 'MustacheStatement' || node.type === 'BlockStatement' || node.type === 'SubExpression') {
      const c = node as Call;
      const path = c.path as hbs.AST.PathExpression;
      const call = c.params.length > 0 || (c.hash?.pairs.length ?? 0) > 0;
      if (call && path.type === 'PathExpression' && !path.data && !known(path.original)) return path.original;
      for (const n of [...c.params, ...(c.hash?.pairs.map((p) => p.value) ?? [])]) {
        const found = visit(n as Node);
        if (found) return found;
      }
      if (node.type === 'BlockStatement') {
        const b = node as hbs.AST.BlockStatement;
        return visitAll(b.program) ?? visitAll(b.inverse);
      }
    }
    return undefined;
  };
  const visitAll = (p: hbs.AST.Program | undefined): string | undefined => {
    for (const s of p?.body ?? []) {
      const found = visit(s as Node);
      if (found) return found;
    }
    return undefined;
  };
  return visitAll(ast);
}
