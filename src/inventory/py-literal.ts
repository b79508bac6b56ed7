// Python's ast.literal_eval for INI inventory values, as Ansible's ini plugin types them (numbers, strings, True/False/None, lists, tuples, dicts).

/** What a value reads as; `undefined` when Python would raise (Ansible then keeps the text as a string). */
export type PyValue = null | boolean | number | string | PyValue[] | { [k: string]: PyValue };

class NotLiteral extends Error {}

/** Thrown by literalEval for a value nested deeper than its limit (Python itself gives up near 200 levels). */
export class TooDeep extends Error {}

const fail = (): never => {
  throw new NotLiteral();
};

const DIGITS = { x: /[0-9a-f]/i, o: /[0-7]/, b: /[01]/ } as const;
const SIMPLE_ESCAPES: Record<string, string> = {
  '\n': '',
  '\\': '\\',
  "'": "'",
  '"': '"',
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
};

class Reader {
  i = 0;
  depth = 0;
  constructor(
    readonly s: string,
    readonly maxDepth: number,
  ) {}

  nested<T>(read: () => T): T {
    if (++this.depth > this.maxDepth) throw new TooDeep();
    const v = read();
    this.depth--;
    return v;
  }

  /** Skips blanks and a # comment (which runs to the end of the line). */
  blank(): void {
    for (;;) {
      while (this.i < this.s.length && /[ \t\f\r\n]/.test(this.s[this.i]!)) this.i++;
      if (this.s[this.i] !== '#') return;
      while (this.i < this.s.length && this.s[this.i] !== '\n') this.i++;
    }
  }

  peek(): string {
    this.blank();
    return this.s[this.i] ?? '';
  }

  eat(ch: string): boolean {
    if (this.peek() !== ch) return false;
    this.i++;
    return true;
  }

  /** A whole expression: one value, or a bare tuple `1, 2`. */
  expression(): PyValue {
    const first = this.value();
    if (this.peek() !== ',') return first;
    const items = [first];
    while (this.eat(',')) {
      if (this.peek() === '' || this.peek() === ')') break;
      items.push(this.value());
    }
    return items;
  }

  value(): PyValue {
    const c = this.peek();
    if (c === '[') return this.nested(() => this.sequence('[', ']'));
    if (c === '(')
      return this.nested(() => {
        this.i++;
        if (this.eat(')')) return [];
        const v = this.expression();
        if (!this.eat(')')) fail();
        return v;
      });
    if (c === '{') return this.nested(() => this.dict());
    if (c === '+' || c === '-') {
      this.i++;
      const n = this.value();
      if (typeof n !== 'number') fail();
      return c === '-' ? -(n as number) : n;
    }
    if (/[0-9.]/.test(c)) return this.number();
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.s.slice(this.i))?.[0] ?? '';
    if (/^[rRuUbB]{0,2}$/.test(word) && /['"]/.test(this.s[this.i + word.length] ?? '')) return this.strings();
    this.i += word.length;
    if (word === 'True') return true;
    if (word === 'False') return false;
    if (word === 'None') return null;
    return fail();
  }

  sequence(open: string, close: string): PyValue[] {
    if (!this.eat(open)) fail();
    const items: PyValue[] = [];
    while (!this.eat(close)) {
      items.push(this.value());
      if (!this.eat(',') && this.peek() !== close) fail();
    }
    return items;
  }

  dict(): Record<string, PyValue> {
    this.eat('{');
    const out: Record<string, PyValue> = {};
    while (!this.eat('}')) {
      const key = this.value();
      // a set ({1, 2}) is a literal too, but Ansible cannot list it: not a value here
      if (!this.eat(':')) fail();
      Object.defineProperty(out, jsonKey(key), {
        value: this.value(),
        enumerable: true,
        writable: true,
        configurable: true,
      });
      if (!this.eat(',') && this.peek() !== '}') fail();
    }
    return out;
  }

  number(): number {
    const rest = this.s.slice(this.i);
    const radix = /^0([xob])((?:_?[0-9a-z])+)/i.exec(rest);
    let text: string;
    let n: number;
    if (radix) {
      const kind = radix[1]!.toLowerCase() as keyof typeof DIGITS;
      const digits = radix[2]!.replace(/_/g, '');
      if (![...digits].every((d) => DIGITS[kind].test(d))) fail();
      text = radix[0];
      n = Number.parseInt(digits, { x: 16, o: 8, b: 2 }[kind]);
    } else {
      const d = '\\d(?:_?\\d)*';
      const m = new RegExp(`^(?:(?:${d})?\\.${d}|${d}\\.?)(?:[eE][+-]?${d})?`).exec(rest) ?? fail();
      text = m[0];
      const plain = text.replace(/_/g, '');
      const isInt = /^\d+$/.test(plain);
      if (isInt && /^0+[1-9]/.test(plain)) fail(); // 0755: a SyntaxError in Python 3
      n = Number(plain);
      if (isInt && !Number.isSafeInteger(n)) fail(); // beyond a double's exact range: kept as text (README)
    }
    this.i += text.length;
    if (/^[jJA-Za-z_0-9]/.test(this.s[this.i] ?? '')) fail(); // complex (1j) or a name glued to a number
    return n;
  }

  /** One or more adjacent string literals ('a' 'b' is 'ab'). */
  strings(): string {
    let out = '';
    while (/^[rRuUbB]{0,2}['"]/.test(this.s.slice(this.i))) {
      out += this.string();
      this.blank();
    }
    return out;
  }

  string(): string {
    const prefix = /^[rRuUbB]{0,2}/.exec(this.s.slice(this.i))![0];
    this.i += prefix.length;
    const raw = /r/i.test(prefix);
    const q = this.s.startsWith(this.s[this.i]!.repeat(3), this.i) ? this.s[this.i]!.repeat(3) : this.s[this.i]!;
    this.i += q.length;
    let out = '';
    for (;;) {
      if (this.i >= this.s.length) fail();
      if (this.s.startsWith(q, this.i)) {
        this.i += q.length;
        return out;
      }
      const c = this.s[this.i]!;
      if (c === '\n' && q.length === 1) fail();
      if (c !== '\\') {
        out += c;
        this.i++;
        continue;
      }
      const next = this.s[this.i + 1] ?? fail();
      if (raw) {
        out += c + next;
        this.i += 2;
        continue;
      }
      this.i += 2;
      if (next in SIMPLE_ESCAPES) out += SIMPLE_ESCAPES[next];
      else if (/[0-7]/.test(next)) {
        const oct = /^[0-7]{1,3}/.exec(this.s.slice(this.i - 1))![0];
        out += String.fromCodePoint(Number.parseInt(oct, 8));
        this.i += oct.length - 1;
      } else if (next === 'x' || next === 'u' || next === 'U') {
        const len = { x: 2, u: 4, U: 8 }[next];
        const hex = this.s.slice(this.i, this.i + len);
        if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(hex)) fail();
        out += String.fromCodePoint(Number.parseInt(hex, 16));
        this.i += len;
      } else out += c + next; // an unknown escape keeps its backslash
    }
  }
}

/** A dict key as Python's json module writes it: str(int), true/false/null, the text of a string. */
function jsonKey(key: PyValue): string {
  if (typeof key === 'string') return key;
  if (typeof key === 'number') return String(key);
  if (typeof key === 'boolean') return key ? 'true' : 'false';
  if (key === null) return 'null';
  return fail();
}

/** ast.literal_eval(text), or undefined where Python raises ValueError or SyntaxError; TooDeep past maxDepth levels. */
export function literalEval(text: string, maxDepth = Number.POSITIVE_INFINITY): PyValue | undefined {
  const r = new Reader(text.replace(/^[ \t]+/, ''), maxDepth);
  try {
    if (r.peek() === '') return undefined;
    const v = r.expression();
    if (r.peek() !== '') return undefined;
    return v;
  } catch (e) {
    if (e instanceof NotLiteral) return undefined;
    throw e;
  }
}
