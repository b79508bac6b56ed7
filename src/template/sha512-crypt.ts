// SHA-512 crypt ($6$), as glibc and passlib compute it (Ulrich Drepper's specification), for password_hash.
import { createHash } from 'node:crypto';

const B64 = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const ORDER = [
  [0, 21, 42],
  [22, 43, 1],
  [44, 2, 23],
  [3, 24, 45],
  [25, 46, 4],
  [47, 5, 26],
  [6, 27, 48],
  [28, 49, 7],
  [50, 8, 29],
  [9, 30, 51],
  [31, 52, 10],
  [53, 11, 32],
  [12, 33, 54],
  [34, 55, 13],
  [56, 14, 35],
  [15, 36, 57],
  [37, 58, 16],
  [59, 17, 38],
  [18, 39, 60],
  [40, 61, 19],
  [62, 20, 41],
] as const;

const sha = (...parts: Buffer[]) => {
  const h = createHash('sha512');
  for (const p of parts) h.update(p);
  return h.digest();
};

/** `len` bytes of `src` repeated. */
const repeatTo = (src: Buffer, len: number) =>
  Buffer.concat(Array.from({ length: Math.ceil(len / src.length) || 0 }, () => src)).subarray(0, len);

function encode(b: Buffer): string {
  let out = '';
  const put = (v: number, n: number) => {
    for (let i = 0; i < n; i++, v >>= 6) out += B64[v & 63];
  };
  for (const [x, y, z] of ORDER) put((b[x]! << 16) | (b[y]! << 8) | b[z]!, 4);
  put(b[63]!, 2);
  return out;
}

export function sha512Crypt(password: string, saltText: string, rounds?: number): string {
  const p = Buffer.from(password, 'utf8');
  const s = Buffer.from(saltText.slice(0, 16), 'utf8');
  const r = rounds === undefined ? 5000 : Math.min(999_999_999, Math.max(1000, rounds));
  const b = sha(p, s, p);
  const aParts = [p, s, repeatTo(b, p.length)];
  for (let n = p.length; n > 0; n >>= 1) aParts.push(n & 1 ? b : p);
  let a = sha(...aParts);
  const dp = sha(...Array.from({ length: p.length }, () => p));
  const P = repeatTo(dp, p.length);
  const ds = sha(...Array.from({ length: 16 + a[0]! }, () => s));
  const S = repeatTo(ds, s.length);
  for (let i = 0; i < r; i++) {
    const parts: Buffer[] = [i & 1 ? P : a];
    if (i % 3) parts.push(S);
    if (i % 7) parts.push(P);
    parts.push(i & 1 ? a : P);
    a = sha(...parts);
  }
  const head = rounds === undefined ? `$6$${s.toString()}` : `$6$rounds=${r}$${s.toString()}`;
  return `${head}$${encode(a)}`;
}
