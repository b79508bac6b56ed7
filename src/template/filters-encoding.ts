// Encoding and path filters: b64encode/b64decode, basename, dirname, quote, hash, checksum, password_hash (sha512 crypt).
import { createHash, randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import { type Family, asString } from './define.js';
import { sha512Crypt } from './sha512-crypt.js';
import { TypeUse, toText } from './values.js';

const SALT_CHARS = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

export const encodingFilters: Family = {
  b64encode: { fn: (v) => Buffer.from(toText(v), 'utf8').toString('base64') },
  b64decode: { fn: (v) => Buffer.from(toText(v), 'base64').toString('utf8') },
  basename: { fn: (v) => posix.basename(toText(v)) },
  dirname: { fn: (v) => posix.dirname(toText(v)) },
  quote: { fn: (v) => `'${toText(v).replace(/'/g, `'"'"'`)}'` },
  hash: {
    params: ['hashtype'],
    fn: (v, a) => {
      const algo = asString(a.hashtype ?? 'sha1');
      if (!['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512'].includes(algo))
        throw new TypeUse(`unsupported hash type "${algo}"`);
      return createHash(algo).update(toText(v)).digest('hex');
    },
  },
  checksum: { fn: (v) => createHash('sha1').update(toText(v)).digest('hex') },
  password_hash: {
    params: ['hashtype', 'salt', 'rounds'],
    fn: (v, a) => {
      const algo = asString(a.hashtype ?? 'sha512');
      if (algo !== 'sha512') throw new TypeUse(`password_hash supports "sha512" (sha512 crypt), not "${algo}"`);
      const salt =
        a.salt === undefined ? [...randomBytes(16)].map((b) => SALT_CHARS[b % 64]).join('') : asString(a.salt);
      return sha512Crypt(toText(v), salt, a.rounds === undefined ? undefined : Number(a.rounds));
    },
  },
};
