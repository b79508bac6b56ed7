// Data depth bounds: nesting is checked before a parser recurses into it, and values for cycles (self-referencing aliases).

/** Deeper YAML/JSON nesting is refused: far more than any inventory or playbook needs, far less than a stack holds. */
export const MAX_DEPTH = 64;

const BLOCK_SCALAR = /(^|[\s:-])[|>][0-9+-]*\s*(#.*)?$/;

/**
 * The offset at which the nesting of YAML (or JSON) text first goes deeper than `max`, or
 * undefined. Counts flow brackets outside quotes and comments, plus block indentation levels
 * and `- ` entries; block scalar bodies are skipped. A cheap upper bound, so the parser
 * (which recurses) never sees a document that could exhaust the stack.
 */
export function nestingTooDeep(text: string, max = MAX_DEPTH): number | undefined {
  let flow = 0;
  const indents: number[] = [];
  let blockScalarAbove: number | undefined; // indentation of the line that opened a block scalar
  let offset = 0;
  for (const line of text.split('\n')) {
    const lineStart = offset;
    offset += line.length + 1;
    const indent = line.length - line.trimStart().length;
    const content = line.trim();
    if (blockScalarAbove !== undefined) {
      if (content === '' || indent > blockScalarAbove) continue;
      blockScalarAbove = undefined;
    }
    if (content === '' || content.startsWith('#')) continue;
    let i = indent;
    if (flow === 0) {
      while (indents.length && indents[indents.length - 1]! >= indent) indents.pop();
      indents.push(indent);
      while (line.startsWith('- ', i) || line.slice(i) === '-') {
        indents.push(i + 1);
        i += 2;
        while (line[i] === ' ') i++;
      }
      if (indents.length > max) return lineStart + indent;
    }
    let quote: string | undefined;
    let valueStart = flow === 0; // in block context a bracket opens flow only where a value starts
    for (; i < line.length; i++) {
      const c = line[i]!;
      if (quote) {
        if (quote === '"' && c === '\\') i++;
        else if (c === quote) quote = undefined;
        continue;
      }
      if (c === '#' && (i === 0 || line[i - 1] === ' ' || line[i - 1] === '\t')) break;
      if ((c === '"' || c === "'") && (flow > 0 || valueStart)) quote = c;
      else if ((c === '[' || c === '{') && (flow > 0 || valueStart)) {
        flow++;
        if (flow + indents.length > max) return lineStart + i;
      } else if ((c === ']' || c === '}') && flow > 0) flow--;
      if (flow === 0) valueStart = c === ' ' && (line[i - 1] === ':' || line[i - 1] === '-');
    }
    if (flow === 0 && BLOCK_SCALAR.test(line)) blockScalarAbove = indent;
  }
  return undefined;
}

/** Whether a value (as read from YAML) refers to itself or nests deeper than `max`; iterative, so it cannot overflow. */
export function valueTooDeep(value: unknown, max = MAX_DEPTH): 'cycle' | 'deep' | undefined {
  const onPath = new Set<object>();
  const stack: { node: object; children: unknown[]; next: number }[] = [];
  const enter = (v: unknown): 'cycle' | 'deep' | undefined => {
    if (v === null || typeof v !== 'object') return undefined;
    if (onPath.has(v)) return 'cycle';
    if (stack.length >= max) return 'deep';
    onPath.add(v);
    const children = v instanceof Map ? [...v.values()] : Array.isArray(v) ? v : Object.values(v);
    stack.push({ node: v, children, next: 0 });
    return undefined;
  };
  const first = enter(value);
  if (first) return first;
  while (stack.length) {
    const top = stack[stack.length - 1]!;
    if (top.next >= top.children.length) {
      onPath.delete(top.node);
      stack.pop();
      continue;
    }
    const bad = enter(top.children[top.next++]);
    if (bad) return bad;
  }
  return undefined;
}
