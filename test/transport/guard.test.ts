// The guard and the shell write as the shells run them (dash and bash, no sshd): what must differ differs, and nothing is left behind.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { guardScript, type GuardItem } from '../../src/transport/guard.js';
import { shellWrite } from '../../src/transport/shell-write.js';

const shells = ['/bin/dash', '/bin/bash'].filter((s) => existsSync(s));

/** Runs shell text as the command shell does (eval in a subshell, stdin /dev/null); its exit code and stderr. */
function run(shell: string, text: string): { code: number | null; stderr: string } {
  const r = spawnSync(shell, ['-c', '( eval "$1" ) </dev/null', 'sh', text], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stderr: r.stderr };
}

const answer = (stdout: string, code = 0, stderr = ''): GuardItem['expect'] => ({ code, stdout, stderr });

for (const shell of shells) {
  test(`${shell}: a guard holds only for the very answer, NUL bytes and unopened files included`, (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'stackplay-guard-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const holds = (text: string, expect: GuardItem['expect'], where: string | undefined = dir) =>
      run(shell, guardScript([{ text, expect }], where)).code === 0;
    t.true(holds('echo ab', answer('ab\n')));
    t.true(holds('printf "a\\n\\n"', answer('a\n\n')), 'trailing newlines count');
    t.true(holds('echo out; echo err >&2; exit 4', answer('out\n', 4, 'err\n')), 'with stderr: by sha256');
    t.true(holds('echo "__sp_expect_x"', answer('__sp_expect_x\n')));
    t.false(holds("printf 'a\\000b\\n'", answer('ab\n')), 'a NUL the substitution would drop');
    t.false(holds("printf 'ab\\000'", answer('ab')));
    // The expected output and its here-document's newline, then a NUL: what comes before the NUL alone looks alike.
    t.false(holds("printf 'ab\\n\\n\\000z'", answer('ab\n')), 'the whole output, not the part before a NUL');
    t.false(holds('echo ab', answer('ab')), 'a newline less');
    t.false(holds('echo ab; echo x >&2', answer('ab\n')), 'stderr where there was none');
    t.false(holds('exit 1', answer('', 0)), 'another code');
    t.false(holds('echo out >&2', answer('', 0, 'other\n')));
    // Files that cannot be opened: the probe never ran, whatever it would have answered.
    t.false(holds('test -e /nonexistent', answer('', 1), join(dir, 'missing')), 'unrun, not exit 1');
    t.false(holds('test -e /nonexistent', answer('', 1, 'x'), join(dir, 'missing')));
    t.deepEqual(
      readdirSync(dir).map((f) => statSync(join(dir, f)).size),
      [0, 0],
      'the output files are emptied after each probe',
    );
    t.true(holds('echo ab', answer('ab\n'), undefined), 'a folder of its own when none is given');
  });

  test(`${shell}: a probe that leaves a process holding its output does not hold the guard up`, (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'stackplay-guard-'));
    const pidFile = join(dir, 'pid');
    t.teardown(() => {
      if (existsSync(pidFile)) spawnSync('kill', [readFileSync(pidFile, 'utf8').trim()]);
      rmSync(dir, { recursive: true, force: true });
    });
    const r = run(
      shell,
      guardScript([{ text: `sleep 600 & echo $! > ${pidFile}; echo started`, expect: answer('started\n') }], dir),
    );
    t.is(r.code, 0, r.stderr);
  });

  for (const printfBuiltin of [true, false]) {
    const how = printfBuiltin ? 'printf' : 'base64';
    test(`${shell}: a shell write (${how}) refuses a folder and a link to one, and writes through the rest`, (t) => {
      const dir = mkdtempSync(join(tmpdir(), 'stackplay-write-'));
      t.teardown(() => rmSync(dir, { recursive: true, force: true }));
      const write = (path: string, content: string, mode: string | undefined) =>
        run(shell, shellWrite(path, content, mode, { printfBuiltin }).text);
      mkdirSync(join(dir, 'folder'));
      symlinkSync(join(dir, 'folder'), join(dir, 'link'));
      for (const target of ['folder', 'link']) {
        const r = write(join(dir, target), 'x', '0644');
        t.is(r.code, 1, target);
        t.regex(r.stderr, /it is a directory/);
      }
      t.deepEqual(readdirSync(join(dir, 'folder')), [], 'nothing was put inside');
      const contents = [
        '',
        'no newline',
        'two\nlines\n',
        'é'.repeat(8000),
        "it's a 'quote' \\ and \\n, %s %d %%, $HOME `id` $(id)\n",
        '-n\n',
        '__sp_base64\nEOF\n',
        'crlf\r\nline\r\n',
        'nul\0byte\n',
        '\n\n\n',
      ];
      for (const content of contents) {
        const r = write(join(dir, 'f'), content, '0600');
        t.is(r.code, 0, r.stderr);
        t.is(readFileSync(join(dir, 'f'), 'utf8'), content, JSON.stringify(content));
        t.is(statSync(join(dir, 'f')).mode & 0o777, 0o600);
      }
      t.deepEqual(readdirSync(dir).sort(), ['f', 'folder', 'link'], 'no temp file left');
      t.is(write(join(dir, 'f'), 'kept mode', undefined).code, 0);
      t.is(statSync(join(dir, 'f')).mode & 0o777, 0o600, 'an existing file keeps its mode');
      t.is(write(join(dir, 'new'), 'new file', undefined).code, 0);
      t.is(statSync(join(dir, 'new')).mode & 0o777, 0o644, 'a new one gets 0644');
      writeFileSync(join(dir, 'target'), 'old');
      symlinkSync(join(dir, 'target'), join(dir, 'to-file'));
      t.is(write(join(dir, 'to-file'), 'new', undefined).code, 0);
      t.is(readFileSync(join(dir, 'target'), 'utf8'), 'old', 'a link to a file is replaced, as a rename replaces it');
      t.is(readFileSync(join(dir, 'to-file'), 'utf8'), 'new');
    });
  }

  test(`${shell}: the content of a shell write is on no command line: printf is the shell's, base64 reads a here-document`, (t) => {
    const secret = `secret-${process.pid}-${Date.now()}`;
    const dir = mkdtempSync(join(tmpdir(), 'stackplay-write-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    for (const printfBuiltin of [true, false]) {
      const text = shellWrite(join(dir, 'f'), secret, '0600', { printfBuiltin }).text;
      // Every command the script runs, as a shell would show it before running it (set -x): no line names the secret.
      const r = spawnSync(shell, ['-c', '( set -x; eval "$1" ) </dev/null', 'sh', text], { encoding: 'utf8' });
      const traced = r.stderr.split('\n').filter((l) => /^\++ /.test(l));
      t.true(traced.length > 0, r.stderr);
      const external = traced.filter((l) => !/^\++ (printf|set|umask|\[|__sp_rc=|exit|rm)\b/.test(l));
      t.false(
        external.some((l) => l.includes(secret)),
        external.join('\n'),
      );
      if (printfBuiltin)
        t.true(
          traced.some((l) => /^\++ printf /.test(l)),
          'the content went through printf',
        );
      else t.false(text.includes(secret), 'as base64 only');
    }
  });
}
