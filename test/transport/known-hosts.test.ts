// known_hosts parsing and checking, cross-checked against OpenSSH's own ssh-keygen (-H, -F, -l).
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HostKeyError } from '../../src/errors.js';
import { verifyHostKey } from '../../src/transport/host-key-policy.js';
import {
  appendHostKey,
  checkHostKey,
  checkHostKeyFiles,
  fingerprintOf,
  keyTypeOf,
  knownKeyTypes,
  parseKnownHosts,
} from '../../src/transport/known-hosts.js';

const dir = mkdtempSync(join(tmpdir(), 'stackplay-kh-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

const keygen = (...args: string[]) => {
  const r = spawnSync('ssh-keygen', args, { encoding: 'utf8' });
  if (r.status !== 0 && !args.includes('-F')) throw new Error(r.stderr);
  return r;
};

/** A fresh public key: `type base64` and its blob. */
function newKey(
  type: 'ed25519' | 'ecdsa',
  name: string,
): { line: string; blob: Buffer; type: string; pubFile: string } {
  const f = join(dir, name);
  keygen('-q', '-t', type, '-N', '', '-f', f);
  const [t, b64] = readFileSync(`${f}.pub`, 'utf8').trim().split(/\s+/);
  return { line: `${t} ${b64}`, blob: Buffer.from(b64!, 'base64'), type: t!, pubFile: `${f}.pub` };
}

const k1 = newKey('ed25519', 'k1');
const k2 = newKey('ed25519', 'k2');
const k3 = newKey('ecdsa', 'k3');
let n = 0;
const file = (text: string) => {
  const f = join(dir, `known_hosts_${n++}`);
  writeFileSync(f, text);
  return f;
};

test('keyTypeOf reads the type inside the blob', (t) => {
  t.is(keyTypeOf(k1.blob), 'ssh-ed25519');
  t.is(keyTypeOf(k3.blob), 'ecdsa-sha2-nistp256');
  t.throws(() => keyTypeOf(Buffer.from([0, 0, 0, 99, 1])));
});

test('fingerprintOf matches ssh-keygen -l', (t) => {
  const out = keygen('-l', '-E', 'sha256', '-f', k1.pubFile).stdout;
  t.is(fingerprintOf(k1.blob), out.split(/\s+/)[1] ?? '(no fingerprint)');
});

test('plain entries: comma lists, [host]:port, comments and blank lines', (t) => {
  const f = file(`# comment\n\nweb1,10.0.0.5,[10.0.0.6]:2222 ${k1.line} a comment\n`);
  t.is(checkHostKey(f, 'web1', 22, k1.type, k1.blob), 'match');
  t.is(checkHostKey(f, '10.0.0.5', 22, k1.type, k1.blob), 'match');
  t.is(checkHostKey(f, '10.0.0.6', 2222, k1.type, k1.blob), 'match');
  t.is(checkHostKey(f, '10.0.0.6', 22, k1.type, k1.blob), 'unknown', 'port 22 is written without brackets');
  t.is(checkHostKey(f, '10.0.0.5', 2222, k1.type, k1.blob), 'unknown');
  t.is(checkHostKey(f, 'WEB1', 22, k1.type, k1.blob), 'match', 'host names compare without case');
});

test('wildcards and negation', (t) => {
  const f = file(`*.lab,!bad.lab ${k1.line}\nnode? ${k1.line}\n`);
  t.is(checkHostKey(f, 'a.lab', 22, k1.type, k1.blob), 'match');
  t.is(checkHostKey(f, 'bad.lab', 22, k1.type, k1.blob), 'unknown');
  t.is(checkHostKey(f, 'node7', 22, k1.type, k1.blob), 'match');
  t.is(checkHostKey(f, 'node10', 22, k1.type, k1.blob), 'unknown');
});

test('hashed entries written by ssh-keygen -H match', (t) => {
  const f = file(`web1 ${k1.line}\n[127.0.0.1]:2222 ${k2.line}\n`);
  keygen('-H', '-f', f);
  t.true(readFileSync(f, 'utf8').startsWith('|1|'), 'ssh-keygen hashed the file');
  t.is(checkHostKey(f, 'web1', 22, k1.type, k1.blob), 'match');
  t.is(checkHostKey(f, '127.0.0.1', 2222, k2.type, k2.blob), 'match');
  t.is(checkHostKey(f, '127.0.0.1', 2223, k2.type, k2.blob), 'unknown');
  t.deepEqual(checkHostKey(f, 'web1', 22, k2.type, k2.blob), { mismatch: { file: f, line: 1 } });
});

test('a different key of the same type is a mismatch naming file:line; another type is unknown', (t) => {
  const f = file(`other ${k2.line}\n# two\nweb1 ${k1.line}\n`);
  t.deepEqual(checkHostKey(f, 'web1', 22, k2.type, k2.blob), { mismatch: { file: f, line: 3 } });
  t.is(checkHostKey(f, 'web1', 22, k3.type, k3.blob), 'unknown');
  t.deepEqual(knownKeyTypes([f], 'web1', 22), ['ssh-ed25519']);
});

test('@revoked rejects the key even when another line matches; @cert-authority lines are ignored', (t) => {
  const f = file(`web1 ${k1.line}\n@revoked * ${k1.line}\n@cert-authority *.lab ${k2.line}\n`);
  t.deepEqual(checkHostKey(f, 'web1', 22, k1.type, k1.blob), { revoked: { file: f, line: 2 } });
  t.is(checkHostKey(f, 'x.lab', 22, k2.type, k2.blob), 'unknown');
  t.is(parseKnownHosts(readFileSync(f, 'utf8'), f)[2]?.marker, 'cert-authority');
});

test('several files: a match anywhere wins over a stale line elsewhere; missing files are empty', (t) => {
  const stale = file(`web1 ${k2.line}\n`);
  const fresh = file(`web1 ${k1.line}\n`);
  t.is(checkHostKeyFiles([stale, join(dir, 'missing'), fresh], 'web1', 22, k1.type, k1.blob), 'match');
  t.deepEqual(checkHostKeyFiles([fresh, stale], 'web1', 22, k3.type, k3.blob), 'unknown');
});

test('UserKnownHostsFile=/dev/null (keep no known hosts) holds no entries, as for OpenSSH', (t) => {
  const fresh = file(`web1 ${k1.line}\n`);
  t.is(checkHostKey('/dev/null', 'web1', 22, k1.type, k1.blob), 'unknown');
  t.is(checkHostKeyFiles(['/dev/null', fresh], 'web1', 22, k1.type, k1.blob), 'match');
  t.deepEqual(knownKeyTypes(['/dev/null'], 'web1', 22), []);
});

test('appendHostKey writes a plain line that ssh-keygen -F finds', (t) => {
  const f = join(dir, 'sub', 'plain_known_hosts');
  t.is(appendHostKey(f, '127.0.0.1', 2222, k1.type, k1.blob), 'added');
  t.is(readFileSync(f, 'utf8'), `[127.0.0.1]:2222 ${k1.line}\n`);
  t.is(appendHostKey(f, '127.0.0.1', 2222, k1.type, k1.blob), 'present');
  t.is(keygen('-F', '[127.0.0.1]:2222', '-f', f).status, 0);
});

test('appendHostKey writes a hashed line that ssh-keygen -F finds', (t) => {
  const f = file('no-newline-at-end ssh-ed25519 AAAA');
  t.is(appendHostKey(f, 'web1', 22, k1.type, k1.blob, { hash: true }), 'added');
  const lines = readFileSync(f, 'utf8').split('\n');
  t.regex(lines[1]!, /^\|1\|[^|]+\|[^ ]+ ssh-ed25519 /);
  t.false(readFileSync(f, 'utf8').includes('web1 '));
  t.is(keygen('-F', 'web1', '-f', f).status, 0);
  t.is(checkHostKey(f, 'web1', 22, k1.type, k1.blob), 'match');
});

test('appendHostKey never overwrites or shadows a changed key', (t) => {
  const text = `web1 ${k1.line}\n`;
  const f = file(text);
  t.deepEqual(appendHostKey(f, 'web1', 22, k2.type, k2.blob), { mismatch: { file: f, line: 1 } });
  t.is(readFileSync(f, 'utf8'), text);
});

const policyFiles = () => ({
  read: file(`[127.0.0.1]:2222 ${k1.line}\n`),
  write: join(dir, `stackplay_known_hosts_${n++}`),
});

test('verifyHostKey strict: a known key passes, an unknown key is refused with its fingerprint', (t) => {
  const { read, write } = policyFiles();
  t.notThrows(() =>
    verifyHostKey('node1', '127.0.0.1', 2222, k1.blob, { mode: 'strict', files: [read], writeFile: write }),
  );
  const e = t.throws(
    () => verifyHostKey('node1', '127.0.0.9', 2222, k1.blob, { mode: 'strict', files: [read], writeFile: write }),
    { instanceOf: HostKeyError },
  );
  t.is(e?.host, 'node1');
  t.regex(
    e?.message ?? '',
    /host key for 127\.0\.0\.9:2222 \(node1\) is not known: ssh-ed25519 SHA256:\S+ is in none of/,
  );
  t.true(e?.message.includes(fingerprintOf(k1.blob)));
  t.regex(e?.message ?? '', /--host-key-checking accept-new/);
  t.false(existsSync(write), 'strict mode wrote nothing');
});

test('verifyHostKey: a changed key is a HostKeyError naming host, type, fingerprint and file:line', (t) => {
  const { read, write } = policyFiles();
  for (const mode of ['strict', 'accept-new'] as const) {
    const e = t.throws(
      () => verifyHostKey('core', '127.0.0.1', 2222, k2.blob, { mode, files: [read], writeFile: write }),
      { instanceOf: HostKeyError },
    );
    t.true(e?.message.includes(`host key for 127.0.0.1:2222 (core) has CHANGED`));
    t.true(e?.message.includes(`ssh-ed25519 ${fingerprintOf(k2.blob)}`));
    t.true(e?.message.includes(`${read}:1`));
    t.true(e?.message.includes(`ssh-keygen -R '[127.0.0.1]:2222' -f ${read}`));
  }
  t.false(existsSync(write));
});

test('verifyHostKey accept-new records unknown keys in the write file only, then they match', (t) => {
  const { read, write } = policyFiles();
  const before = readFileSync(read, 'utf8');
  const policy = { mode: 'accept-new' as const, files: [read], writeFile: write };
  t.notThrows(() => verifyHostKey('n2', '127.0.0.2', 2222, k2.blob, policy));
  t.is(readFileSync(read, 'utf8'), before);
  t.is(readFileSync(write, 'utf8'), `[127.0.0.2]:2222 ${k2.line}\n`);
  t.notThrows(() => verifyHostKey('n2', '127.0.0.2', 2222, k2.blob, { ...policy, mode: 'strict' }));
  t.throws(() => verifyHostKey('n2', '127.0.0.2', 2222, k1.blob, policy), {
    instanceOf: HostKeyError,
    message: /CHANGED/,
  });
  t.is(readFileSync(write, 'utf8'), `[127.0.0.2]:2222 ${k2.line}\n`);
});

test('verifyHostKey accept-new without a write file refuses unknown keys', (t) => {
  t.throws(() => verifyHostKey('n', '127.0.0.3', 22, k1.blob, { mode: 'accept-new', files: [] }), {
    instanceOf: HostKeyError,
    message: /is not known/,
  });
});

test('verifyHostKey off accepts anything; a pinned key is accepted in strict mode', (t) => {
  const { read } = policyFiles();
  t.notThrows(() => verifyHostKey('n', '127.0.0.1', 2222, k2.blob, { mode: 'off', files: [read] }));
  t.notThrows(() => verifyHostKey('n', '127.0.0.50', 22, k2.blob, { mode: 'strict', files: [read], pinned: k2.blob }));
  t.throws(() => verifyHostKey('n', '127.0.0.50', 22, k1.blob, { mode: 'strict', files: [read], pinned: k2.blob }), {
    instanceOf: HostKeyError,
  });
});

test('verifyHostKey refuses a revoked key', (t) => {
  const f = file(`[127.0.0.1]:2222 ${k1.line}\n@revoked * ${k1.line}\n`);
  t.throws(() => verifyHostKey('n', '127.0.0.1', 2222, k1.blob, { mode: 'accept-new', files: [f] }), {
    instanceOf: HostKeyError,
    message: new RegExp(`REVOKED.*${f}:2`),
  });
});
