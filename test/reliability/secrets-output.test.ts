// Secrets are masked in every output without a remote host: in part, JSON-escaped, in diagnostics and in inventory listings.
import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, type CliResult } from '../integration/cli.js';
import { SECRET_PART, textMasker } from '../../src/report/redact.js';

const SECRETS = {
  token: 'Tok-0123456789abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJ-tail',
  quoted: 'Qu"ote\\Pw-5e1c4d',
  nested: 'Nest"ed-Pw-77aa91',
  marked: 'Marked-Handle-3f0e9b',
  extra: 'Extra-Secret-c81d22',
};

/** Every piece of SECRET_PART characters of each secret, as is and JSON-escaped: any of them in output is a leak. */
function leaks(text: string): string[] {
  const found: string[] = [];
  for (const [name, value] of Object.entries(SECRETS)) {
    for (const form of [value, JSON.stringify(value).slice(1, -1)])
      for (let i = 0; i + SECRET_PART <= form.length; i++)
        if (text.includes(form.slice(i, i + SECRET_PART))) found.push(`${name}: ${form.slice(i, i + SECRET_PART)}`);
  }
  return [...new Set(found)];
}

const all = (r: CliResult) => r.stdout + r.stderr;

let work = '';
test.before(() => {
  work = mkdtempSync(join(tmpdir(), 'stackplay-secrets-out-'));
  writeFileSync(
    join(work, 'local.ini'),
    [
      '[local]',
      `localhost api_token=${SECRETS.token} handle=${SECRETS.marked} stackplay_secret_vars=handle`,
      '[local:vars]',
      `db_password="${SECRETS.quoted.replace(/["\\]/g, '\\$&')}"`,
      `creds={"user": "app", "password": "${SECRETS.nested.replace(/["\\]/g, '\\$&')}"}`,
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(work, 'play.yml'),
    `- hosts: local
  tasks:
    - debug: { var: creds }
    - debug: { var: db_password }
    - debug: { msg: "{{ handle }} {{ extra_secret }}" }
    - name: a type error that quotes the first 40 characters of the token
      debug: { msg: "{{ api_token | abs }}" }
      ignore_errors: true
    - name: a failure message holding the quoted password
      assert: { that: "db_password == 'x'", fail_msg: "db_password is {{ db_password }}" }
      ignore_errors: true
`,
  );
  // A broken inventory whose bad lines hold secrets: diagnostics must not quote them.
  writeFileSync(
    join(work, 'broken.ini'),
    [
      '[web]',
      `web1 ansible_password=${SECRETS.extra} ${SECRETS.marked}`,
      '[web:vars]',
      `api_token ${SECRETS.token}`,
      `x_token=${SECRETS.token.slice(0, 30)}"`,
      '',
    ].join('\n'),
  );
});
test.after.always(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

test('textMasker masks a secret whole, JSON-escaped, shell-quoted and any part of it', (t) => {
  const mask = textMasker([SECRETS.quoted, SECRETS.token]);
  t.is(mask(`pw=${SECRETS.quoted}.`), 'pw=********.');
  t.is(mask(JSON.stringify({ pw: SECRETS.quoted })), '{"pw":"********"}');
  t.is(mask(`'${SECRETS.quoted.replace(/'/g, `'\\''`)}'`), "'********'");
  t.is(mask(`got "${SECRETS.token.slice(0, 40)}…"`), 'got "********…"');
  t.is(mask(`tail ${SECRETS.token.slice(-12)} end`), 'tail ******** end');
  t.is(mask('nothing secret here'), 'nothing secret here');
});

for (const mode of ['plain', 'json', 'tree'] as const) {
  test(`no part of a secret reaches ${mode} output (debug var, type errors, failure messages)`, async (t) => {
    const r = await runCli([
      'run',
      join(work, 'play.yml'),
      '-i',
      join(work, 'local.ini'),
      '--output',
      mode,
      '-e',
      `extra_secret=${SECRETS.extra}`,
      '-e',
      'stackplay_secret_vars=extra_secret',
    ]);
    t.is(r.code, 0, all(r));
    t.true(all(r).includes('********'), all(r));
    t.deepEqual(leaks(all(r)), [], all(r));
  });
}

test('inventory --list, --list --json and --graph mask named and stackplay_secret_vars values', async (t) => {
  for (const args of [['--list'], ['--list', '--json'], ['--graph'], []]) {
    const r = await runCli(['inventory', '-i', join(work, 'local.ini'), ...args]);
    t.is(r.code, 0, all(r));
    t.deepEqual(leaks(all(r)), [], `${args.join(' ')}:\n${all(r)}`);
  }
});

test('inventory diagnostics never quote a line that holds a secret', async (t) => {
  for (const args of [
    ['inventory', '-i'],
    ['run', join(work, 'play.yml'), '-i'],
  ]) {
    const r = await runCli([...args, join(work, 'broken.ini')]);
    t.is(r.code, 4, all(r));
    t.regex(r.stderr + r.stdout, /E_INVENTORY_VAR/);
    t.deepEqual(leaks(all(r)), [], all(r));
  }
});
