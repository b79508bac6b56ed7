// The syntax tree of Ansible-style conditions ("x is defined and x | int > 2").

export type CompareOp = '==' | '!=' | '<' | '>' | '<=' | '>=' | 'in' | 'not in';
export type MathOp = '+' | '-' | '*' | '/' | '//' | '%' | '**' | '~';

export type Ast =
  | { k: 'lit'; v: unknown }
  | { k: 'var'; name: string }
  | { k: 'list'; items: Ast[] }
  | { k: 'dict'; entries: [Ast, Ast][] }
  | { k: 'get'; obj: Ast; key: Ast }
  | { k: 'call'; obj: Ast; method: string; args: Ast[] }
  | { k: 'not'; e: Ast }
  | { k: 'neg'; e: Ast }
  | { k: 'and' | 'or'; l: Ast; r: Ast }
  | { k: 'cmp'; op: CompareOp; l: Ast; r: Ast }
  | { k: 'math'; op: MathOp; l: Ast; r: Ast }
  | { k: 'cond'; test: Ast; then: Ast; else?: Ast }
  | { k: 'test'; e: Ast; name: string; args: Ast[]; negate: boolean }
  | { k: 'filter'; e: Ast; name: string; args: Ast[] };
