// Errors of templates and conditions: syntax (caught at load time) and undefined values (at run time).
import { StackplayError, formatSpan, type Span } from '../errors.js';

/** A condition that cannot be parsed (E_EXPR_SYNTAX) or evaluated (E_EXPR_UNDEFINED, E_EXPR_TYPE). */
export class ExprError extends StackplayError {
  constructor(
    code: string,
    message: string,
    readonly variable?: string,
    readonly hint?: string,
  ) {
    super(code, message);
  }
}

/** A template that cannot be compiled (E_TEMPLATE_SYNTAX) or rendered (E_TEMPLATE_UNDEFINED, ...). */
export class TemplateError extends StackplayError {
  /** The message without the location (for diagnostics, which carry `at` separately). */
  readonly detail: string;
  /** For syntax errors: the reason and where in the compiled text (conditions shift it to their own text). */
  pos?: { why: string; line?: number; col?: number; compiled: string };
  constructor(
    code: string,
    detail: string,
    readonly at?: Span,
    readonly variable?: string,
    readonly hint?: string,
  ) {
    super(code, at ? `${detail} (at ${formatSpan(at)})` : detail);
    this.detail = detail;
  }
}

export const undefinedHint = 'define it (inventory, play vars, -e), guard with "is defined", or use "| default(...)"';

/** Said wherever an ansible_* fact is undefined and no facts were gathered (gather_facts is off by default). */
export const gatherFactsHint =
  'system facts such as ansible_hostname need `gather_facts: true` on the play; stackplay gathers none by default';
