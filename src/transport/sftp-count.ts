// An SFTP session whose requests are counted as round trips (src/transport/round-trips.ts).
import type { SFTPWrapper } from 'ssh2';
import type { RoundTrips } from './round-trips.js';

/** The SFTP requests that wait for the server's answer. */
const REQUESTS = new Set([
  'open',
  'close',
  'read',
  'write',
  'fstat',
  'stat',
  'lstat',
  'fchmod',
  'chmod',
  'unlink',
  'rename',
  'ext_openssh_rename',
  'mkdir',
  'rmdir',
  'readdir',
  'opendir',
  'setstat',
  'fsetstat',
  'realpath',
  'readlink',
  'symlink',
]);

/** The session, counting each request it sends; composite calls (readFile) count the requests they make. */
export function countingSftp(sftp: SFTPWrapper, trips: RoundTrips): SFTPWrapper {
  const proxy: SFTPWrapper = new Proxy(sftp, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (typeof value !== 'function') return value;
      const f = value as (...a: unknown[]) => unknown;
      if (typeof prop === 'string' && REQUESTS.has(prop))
        return (...args: unknown[]) => {
          trips.sent();
          return f.apply(target, args);
        };
      // readFile calls this.open, this.read, ...: through the proxy, so those are counted.
      if (prop === 'readFile') return (...args: unknown[]) => f.apply(receiver, args);
      return f.bind(target);
    },
  });
  return proxy;
}
