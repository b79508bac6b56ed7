// fnmatch-style globs (* ? [abc] [!a-z]) matched in O(name x glob) time: no regex, so no catastrophic backtracking.

type Token =
  | { kind: 'star' }
  | { kind: 'any' }
  | { kind: 'char'; ch: string }
  | { kind: 'set'; neg: boolean; has(c: string): boolean };

function parseSet(body: string): (c: string) => boolean {
  const ranges: [string, string][] = [];
  for (let i = 0; i < body.length; i++) {
    const lo = body[i]!;
    if (body[i + 1] === '-' && i + 2 < body.length) {
      ranges.push([lo, body[i + 2]!]);
      i += 2;
    } else ranges.push([lo, lo]);
  }
  return (c) => ranges.some(([lo, hi]) => c >= lo && c <= hi);
}

function tokenize(glob: string): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') {
      if (out.at(-1)?.kind !== 'star') out.push({ kind: 'star' }); // ** is *: fewer backtracking points
    } else if (c === '?') out.push({ kind: 'any' });
    else if (c === '[') {
      const close = glob.indexOf(']', i + 2);
      if (close < 0) {
        out.push({ kind: 'char', ch: c });
        continue;
      }
      let body = glob.slice(i + 1, close);
      const neg = body.startsWith('!');
      if (neg) body = body.slice(1);
      out.push({ kind: 'set', neg, has: parseSet(body) });
      i = close;
    } else out.push({ kind: 'char', ch: c });
  }
  return out;
}

const one = (t: Token, c: string): boolean =>
  t.kind === 'any' || (t.kind === 'char' ? t.ch === c : t.kind === 'set' ? t.has(c) !== t.neg : false);

/**
 * A matcher for a whole name. A mismatch after a star retries from the last star only (the
 * classic wildcard algorithm), so time is bounded by name length times glob length. `steps`
 * counts loop turns (tests check that bound).
 */
export function globMatcher(
  glob: string,
  o: { caseless?: boolean; steps?: { count: number } } = {},
): (name: string) => boolean {
  const fold = (s: string) => (o.caseless ? s.toLowerCase() : s);
  const tokens = tokenize(fold(glob));
  return (input) => {
    const name = [...fold(input)];
    let p = 0;
    let s = 0;
    let starP = -1;
    let starS = 0;
    while (s < name.length) {
      if (o.steps) o.steps.count++;
      const t = tokens[p];
      if (t?.kind === 'star') {
        starP = p++;
        starS = s;
      } else if (t && one(t, name[s]!)) {
        p++;
        s++;
      } else if (starP >= 0) {
        p = starP + 1;
        s = ++starS;
      } else return false;
    }
    while (tokens[p]?.kind === 'star') p++;
    return p === tokens.length;
  };
}
