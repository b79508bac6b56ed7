// Bad-input corpus through the real CLI: exit 4 (5 for options), one clear diagnostic each, expected stderr kept as fixtures, no connection opened.
import test from 'ava';
import { execFileSync, spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pLimit from 'p-limit';
import { BIN, CLI_DEADLINE_MS } from '../integration/cli.js';

const DIR = 'test/fixtures/cli-bad';
const UPDATE = process.env.STACKPLAY_UPDATE_FIXTURES === '1';
// Cases that do not use the counting inventory may name hosts outside loopback (bad fixtures with 10.x
// addresses): they run in a new, empty network namespace, so even a bug could not send a packet anywhere.
const canIsolate = process.getuid?.() === 0 && existsSync('/usr/bin/unshare');

interface Case {
  name: string;
  exit: number;
  args: string[];
}

function handWritten(): Case[] {
  return readdirSync(join(DIR, 'cases'))
    .filter((f) => f.endsWith('.args'))
    .sort()
    .map((f) => {
      const [head, ...args] = readFileSync(join(DIR, 'cases', f), 'utf8')
        .replace(/\n$/, '')
        .split('\n');
      const exit = Number(/^exit (\d+)$/.exec(head ?? '')?.[1]);
      if (!Number.isInteger(exit)) throw new Error(`${f}: first line must be "exit N"`);
      return { name: f.slice(0, -'.args'.length), exit, args };
    });
}

const inputsIn = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.expected'))
    .sort()
    .map((f) => {
      const base = f.slice(0, -'.expected'.length);
      const file =
        ['.ini', '.yml', '.yaml'].map((e) => join(dir, base + e)).find((p) => existsSync(p)) ??
        join(dir, `${base}${dir.includes('playbooks') ? '.yml' : '.ini'}`);
      return { base, file };
    });

function corpus(): Case[] {
  const inv = inputsIn('test/fixtures/inventory/bad');
  const pbs = inputsIn('test/fixtures/playbooks/bad');
  return [
    ...handWritten(),
    ...inv.map(({ base, file }) => ({ name: `inventory-run-${base}`, exit: 4, args: ['run', '{good}', '-i', file] })),
    ...pbs.map(({ base, file }) => ({ name: `playbook-${base}`, exit: 4, args: ['run', file, '-i', '{count}'] })),
  ];
}

/** A loopback TCP listener that counts accepted connections: a run on bad input must never reach it. */
function countingListener(): Promise<{ port: number; count(): number; close(): Promise<void> }> {
  return new Promise((resolve, reject) => {
    let accepted = 0;
    const server: Server = createServer((s) => {
      accepted++;
      s.destroy();
    });
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () =>
      resolve({
        port: (server.address() as { port: number }).port,
        count: () => accepted,
        close: () => new Promise((r) => server.close(() => r())),
      }),
    );
  });
}

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runStackplay(args: string[], isolate: boolean): Promise<Ran> {
  const argv = isolate ? ['unshare', '--net', process.execPath, BIN, ...args] : [process.execPath, BIN, ...args];
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    // Not a timed assertion: a hung CLI would otherwise hang the suite; the exit code check then fails.
    const timer = setTimeout(() => child.kill('SIGKILL'), CLI_DEADLINE_MS);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

let work = '';
/** A named pipe nobody writes to: reading it as an input would block forever. */
let fifo = '';
test.before(() => {
  work = mkdtempSync(join(tmpdir(), 'stackplay-bad-input-'));
  fifo = join(work, 'input.fifo');
  execFileSync('mkfifo', [fifo]);
});
test.after.always(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

const limit = pLimit(4);
const cases = corpus();

test('the corpus has at least 50 bad inputs and 10 bad command lines, each with its expected output', (t) => {
  t.true(cases.filter((c) => c.exit === 4).length >= 50);
  t.true(cases.filter((c) => c.exit === 5).length >= 10);
  if (UPDATE) {
    t.pass();
    return;
  }
  const missing = cases.filter((c) => !existsSync(join(DIR, 'expected', `${c.name}.expected`))).map((c) => c.name);
  t.deepEqual(missing, [], 'run with STACKPLAY_UPDATE_FIXTURES=1 to create them');
});

/** What the user saw: stderr, plus stdout when there is any (NDJSON diagnostics with --output json). */
const shown = (r: Ran, countFile: string) =>
  (r.stderr + (r.stdout ? `--- stdout\n${r.stdout}` : '')).split(countFile).join('{count}').split(fifo).join('{fifo}');

/** Every diagnostic text block in the output (plain or inside NDJSON events). */
function diagnosticsOf(r: Ran): string[] {
  const fromJson = r.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .flatMap((l) => {
      const e = JSON.parse(l) as {
        type: string;
        diagnostics?: {
          code: string;
          message: string;
          at?: { file: string; line: number; col: number };
          hint?: string;
        }[];
      };
      return e.type === 'diagnostics'
        ? (e.diagnostics ?? []).map(
            (d) =>
              `error[${d.code}] ${d.message}\n  --> ${d.at ? `${d.at.file}:${d.at.line}:${d.at.col}` : ''}${d.hint ? `\n  hint: ${d.hint}` : ''}`,
          )
        : [];
    });
  const fromText = r.stderr.split(/^(?=error\[)/m).filter((b) => b.startsWith('error['));
  return [...fromJson, ...fromText];
}

for (const c of cases) {
  test(`bad input: ${c.name}`, async (t) => {
    const listener = await countingListener();
    t.teardown(() => listener.close());
    const countFile = join(work, `${c.name}.ini`);
    writeFileSync(
      countFile,
      `[web]\nweb1 ansible_host=127.0.0.1 ansible_port=${listener.port} ansible_user=nobody\nweb2 ansible_host=127.0.0.1 ansible_port=${listener.port} ansible_user=nobody\n`,
    );
    const args = c.args.map((a) =>
      a
        .replace('{count}', countFile)
        .replace('{good}', join(DIR, 'good.yml'))
        .replace('{in}', join(DIR, 'inputs'))
        .replace('{fifo}', fifo),
    );
    const isolate = canIsolate && !c.args.includes('{count}');
    const r = await limit(() => runStackplay(args, isolate));
    const text = shown(r, countFile);

    t.is(r.code, c.exit, text);
    t.is(listener.count(), 0, 'a connection was opened on bad input');
    t.false(/"type":"run:start"|^(RUN|CHECK) /m.test(r.stdout), 'the run started');
    const ds = diagnosticsOf(r);
    t.true(ds.length >= 1, `no diagnostic in:\n${text}`);
    for (const d of ds) {
      t.regex(d, /^error\[E_[A-Z_]+\] \S/, d);
      t.regex(d, /\n {2}hint: \S/, `no hint: ${d}`);
      if (c.exit === 4) t.regex(d, /\n {2}--> [^\n]+:\d+:\d+/, `no file:line:col: ${d}`);
    }
    const expectedFile = join(DIR, 'expected', `${c.name}.expected`);
    if (UPDATE) writeFileSync(expectedFile, text);
    else t.is(text, readFileSync(expectedFile, 'utf8'));
  });
}

// Issue 16: an inventory value substituted for %h in a ProxyCommand (run by `sh -c`) ran on the controller.
test('a host name holding a shell command never runs: exit 4 before any ProxyCommand starts', async (t) => {
  const listener = await countingListener();
  t.teardown(() => listener.close());
  const pwned = join(work, 'pwned');
  const proxied = join(work, 'proxy-ran');
  const inv = join(work, 'injection.yml');
  const proxy = `touch ${proxied}; echo %h >/dev/null`;
  const hosts = {
    web1: {
      ansible_host: `x;touch ${pwned}`,
      ansible_user: 'nobody',
      ansible_ssh_common_args: `-o ProxyCommand="${proxy}"`,
    },
    web2: { ansible_host: '127.0.0.1', ansible_user: `nobody$(touch ${pwned})`, ansible_port: listener.port },
  };
  writeFileSync(inv, JSON.stringify({ web: { hosts } }));
  const r = await runStackplay(['run', join(DIR, 'good.yml'), '-i', inv], false);
  t.is(r.code, 4, r.stderr + r.stdout);
  t.false(existsSync(pwned), 'the injected command ran on the controller');
  t.false(existsSync(proxied), 'a ProxyCommand started on bad input');
  t.is(listener.count(), 0);
  t.regex(
    r.stderr,
    /error\[E_CONNECTION_VAR\] host web1: ansible_host "x;touch .*" is not a valid host name: it contains ";"/,
  );
  t.regex(r.stderr, /--> .*injection\.yml:1:\d+/);
  t.regex(r.stderr, /host web2: ansible_user "nobody\$\(touch .*" is not a valid user name/);
});
