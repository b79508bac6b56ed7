// Reading playbook YAML nodes into typed values, each problem a diagnostic at the node.
import { isMap, isScalar, isSeq, isPair, type Node, type Pair } from 'yaml';
import { diag, type Diagnostic, type Span } from '../errors.js';
import { spanOf, type YamlSource } from './source.js';
import { parseExpr } from '../template/expr.js';
import { ExprError } from '../template/errors.js';
import { templateSyntaxError } from '../template/render.js';
import { truthOf } from '../privilege.js';

export interface LoadContext {
  src: YamlSource;
  diagnostics: Diagnostic[];
}

export type YNode = Node | null | undefined;

export interface Entry {
  key: string;
  keyNode: Node;
  value: YNode;
  pair: Pair;
}

export const report = (ctx: LoadContext, code: string, message: string, node: YNode, hint?: string): void => {
  ctx.diagnostics.push(diag(code, message, spanOf(ctx.src, node), hint));
};

export const span = (ctx: LoadContext, node: YNode): Span => spanOf(ctx.src, node);

/** What a node holds, for "expected X, got Y" messages. */
export function describeNode(node: YNode): string {
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (!isScalar(node) || node.value === null) return 'nothing';
  const v = node.value;
  if (typeof v === 'string') return `"${v.length > 40 ? `${v.slice(0, 40)}…` : v}"`;
  return `${typeof v === 'number' ? 'number' : typeof v} ${String(v)}`;
}

const typeError = (ctx: LoadContext, what: string, expected: string, node: YNode, hint?: string) =>
  report(
    ctx,
    'E_PLAYBOOK_TYPE',
    `${what}: expected ${expected}, got ${describeNode(node)}`,
    node,
    hint ?? `write ${expected} here`,
  );

/** The entries of a mapping; non-scalar keys are reported and skipped. */
export function entriesOf(ctx: LoadContext, map: Node): Entry[] {
  if (!isMap(map)) return [];
  const out: Entry[] = [];
  for (const pair of map.items) {
    if (!isPair(pair)) continue;
    const keyNode = pair.key as Node;
    if (!isScalar(keyNode) || keyNode.value === null || typeof keyNode.value === 'object') {
      report(ctx, 'E_PLAYBOOK_KEY', 'keys must be plain names', keyNode);
      continue;
    }
    out.push({ key: String(keyNode.value), keyNode, value: pair.value as YNode, pair: pair as Pair });
  }
  return out;
}

export function readString(ctx: LoadContext, node: YNode, what: string): string | undefined {
  if (isScalar(node) && node.value !== null && typeof node.value !== 'object') return String(node.value);
  typeError(ctx, what, 'a string', node);
  return undefined;
}

/** Booleans as YAML 1.1 reads them, plus the strings Ansible takes as booleans (y/n, 1/0, ...): src/privilege.ts truthOf. */
export function readBool(ctx: LoadContext, node: YNode, what: string): boolean | undefined {
  const b = isScalar(node) ? truthOf(node.value) : undefined;
  if (b !== undefined) return b;
  typeError(ctx, what, 'true or false', node);
  return undefined;
}

/** One of a fixed set of words (order, become_method). */
export function readChoice<T extends string>(
  ctx: LoadContext,
  node: YNode,
  what: string,
  choices: readonly T[],
): T | undefined {
  const s = readString(ctx, node, what);
  if (s === undefined) return undefined;
  if ((choices as readonly string[]).includes(s)) return s as T;
  typeError(ctx, what, `one of ${choices.join(', ')}`, node);
  return undefined;
}

export function readInt(ctx: LoadContext, node: YNode, what: string, max = Infinity): number | undefined {
  if (isScalar(node)) {
    const n =
      typeof node.value === 'number'
        ? node.value
        : typeof node.value === 'string' && /^\d+$/.test(node.value)
          ? Number(node.value)
          : NaN;
    if (Number.isInteger(n) && n >= 0 && n <= max) return n;
  }
  typeError(ctx, what, max === Infinity ? 'a whole number (0 or more)' : `a whole number from 0 to ${max}`, node);
  return undefined;
}

/** A string or a list of strings (tags, notify, listen); a comma-separated string is split for tags. */
export function readStringList(
  ctx: LoadContext,
  node: YNode,
  what: string,
  opts: { commas?: boolean } = {},
): { value: string; node: Node }[] {
  const items: YNode[] = isSeq(node) ? (node.items as YNode[]) : [node];
  const out: { value: string; node: Node }[] = [];
  for (const item of items) {
    if (!isScalar(item) || item.value === null || typeof item.value === 'object') {
      typeError(ctx, what, isSeq(node) ? 'a list of strings' : 'a string or a list of strings', item ?? node);
      continue;
    }
    const parts = opts.commas
      ? String(item.value)
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : [String(item.value)];
    for (const p of parts) out.push({ value: p, node: item });
  }
  return out;
}

/** A mapping as plain data (vars). */
export function readMapping(ctx: LoadContext, node: YNode, what: string): Record<string, unknown> | undefined {
  if (isMap(node)) return node.toJS(ctx.src.doc) as Record<string, unknown>;
  if (isScalar(node) && node.value === null) return {};
  typeError(ctx, what, 'a mapping', node);
  return undefined;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `environment`: a mapping of variable names to values (rendered per host when the task runs). */
export function readEnvironment(ctx: LoadContext, node: YNode): Record<string, unknown> | undefined {
  const env = readMapping(ctx, node, 'environment');
  if (!env || !isMap(node)) return env;
  for (const pair of node.items) {
    const k = isScalar(pair.key) ? String(pair.key.value) : '';
    if (!ENV_NAME.test(k))
      report(
        ctx,
        'E_PLAYBOOK_TYPE',
        `environment: "${k}" is not a variable name`,
        pair.key as Node,
        'use letters, digits and _',
      );
  }
  return env;
}

/** Conditions (a string, a boolean or a list of them), each checked to parse now. */
export function readConditions(ctx: LoadContext, node: YNode, what: string): string[] | undefined {
  const items: YNode[] = isSeq(node) ? (node.items as YNode[]) : [node];
  const out: string[] = [];
  for (const item of items) {
    if (!isScalar(item) || item.value === null || typeof item.value === 'object') {
      typeError(ctx, what, 'a condition (string or boolean) or a list of them', item ?? node);
      continue;
    }
    const text = typeof item.value === 'string' ? item.value : String(item.value);
    checkCondition(ctx, text, span(ctx, item), what);
    out.push(text);
  }
  return out;
}

export function checkCondition(ctx: LoadContext, text: string, at: Span, what: string): void {
  try {
    parseExpr(text);
  } catch (e) {
    if (!(e instanceof ExprError)) throw e;
    const braces = text.includes('{{') && !/^\s*\{\{[\s\S]*\}\}\s*$/.test(text);
    ctx.diagnostics.push(
      diag(
        'E_EXPR_SYNTAX',
        `${what}: ${e.message}`,
        at,
        braces
          ? 'conditions are expressions already: write them without {{ }}'
          : (e.hint ?? "conditions use Ansible's expression syntax, e.g. x == 1 and y is defined"),
      ),
    );
  }
}

/** Reports template syntax errors in every string under a node, at that string. */
export function checkTemplates(ctx: LoadContext, node: YNode): void {
  if (isScalar(node)) {
    const e = typeof node.value === 'string' ? templateSyntaxError(node.value) : undefined;
    if (e) ctx.diagnostics.push(diag(e.code, e.detail, span(ctx, node), e.hint));
  } else if (isSeq(node)) {
    for (const item of node.items) checkTemplates(ctx, item as YNode);
  } else if (isMap(node)) {
    for (const pair of node.items) checkTemplates(ctx, pair.value as YNode);
  }
}
