// A 200 MB copy through the real CLI to a test sshd: controller peak RSS under 200 MB, every NDJSON line under 64 KB, the file whole on the target.
import test from 'ava';
import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunEvent, WriteShown } from '../../src/report/events.js';
import { makeControllerFile, sha256OfFile } from '../helpers/controller-file.js';
import { canRunSshd, startSshd, whyNoSshd, type Sshd } from '../helpers/sshd.js';
import { BIN, CLI_DEADLINE_MS } from '../integration/cli.js';

const SIZE = 200 * 1024 * 1024;
const MAX_RSS_KB = 200 * 1024;
const MAX_LINE = 64 * 1024;
const HOOK = fileURLToPath(new URL('../helpers/peak-rss-hook.mjs', import.meta.url));

const it = canRunSshd() ? test.serial : test.serial.skip;
if (!canRunSshd())
  test('large-copy tests need a test sshd', (t) => {
    t.log(`skipped: ${whyNoSshd()}`);
    t.pass();
  });

interface Measured {
  code: number | null;
  peakRssKb: number;
  /** The longest stdout line in bytes. */
  longestLine: number;
  /** The events, parsed from lines under MAX_LINE (a longer one is only measured, never held). */
  events: RunEvent[];
  stderr: string;
}

/** Runs the CLI with the peak-RSS hook, measuring stdout's lines as they stream (a regression must not exhaust this process). */
function runMeasured(args: string[], rssFile: string): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', HOOK, BIN, ...args], {
      env: { ...process.env, STACKPLAY_PEAK_RSS_FILE: rssFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let longestLine = 0;
    let current = 0;
    let kept: Buffer[] = [];
    const lines: string[] = [];
    child.stdout.on('data', (d: Buffer) => {
      let start = 0;
      for (let nl = d.indexOf(10); nl >= 0; nl = d.indexOf(10, start)) {
        current += nl - start;
        if (current <= MAX_LINE) lines.push(Buffer.concat([...kept, d.subarray(start, nl)]).toString());
        longestLine = Math.max(longestLine, current);
        current = 0;
        kept = [];
        start = nl + 1;
      }
      current += d.length - start;
      longestLine = Math.max(longestLine, current);
      if (current <= MAX_LINE) kept.push(Buffer.from(d.subarray(start)));
      else kept = [];
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-8000);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), CLI_DEADLINE_MS);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const events = lines.filter((l) => l.startsWith('{"type"')).map((l) => JSON.parse(l) as RunEvent);
      resolve({ code, peakRssKb: Number(readFileSync(rssFile, 'utf8')), longestLine, events, stderr });
    });
  });
}

const planned = (m: Measured): WriteShown[] =>
  m.events.flatMap((e) =>
    e.type === 'host:plan' ? e.plan.steps.filter((s): s is WriteShown => s.kind === 'write') : [],
  );
const changed = (m: Measured): number | undefined => {
  const end = m.events.find((e) => e.type === 'run:end');
  return end?.type === 'run:end' ? end.recap.node1?.changed : undefined;
};

let sshd: Sshd | undefined;
let dir = '';
test.before(async () => {
  if (!canRunSshd()) return;
  dir = mkdtempSync(join(tmpdir(), 'stackplay-large-copy-'));
  sshd = await startSshd();
});
test.after.always(async () => {
  await sshd?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it('a 200 MB copy streams: controller peak RSS under 200 MB, NDJSON lines under 64 KB, events by size and sha256, the file whole', async (t) => {
  const source = makeControllerFile(join(dir, 'source.bin'), SIZE);
  const target = join(dir, 'target.bin');
  const vars = Object.entries(sshd!.inventoryVars()).map(([k, v]) => `${k}='${v}'`);
  writeFileSync(join(dir, 'hosts.ini'), `[all]\nnode1 ${vars.join(' ')}\n`);
  writeFileSync(
    join(dir, 'copy.yml'),
    `- hosts: all\n  tasks:\n    - name: big\n      copy: { src: source.bin, dest: ${target}, mode: "0600" }\n`,
  );
  const run = async (what: string, extra: string[]) => {
    const args = ['run', join(dir, 'copy.yml'), '-i', join(dir, 'hosts.ini'), '--output', 'json', ...extra];
    const m = await runMeasured(args, join(dir, 'rss'));
    t.log(`${what}: peak RSS ${Math.round(m.peakRssKb / 1024)} MB, longest NDJSON line ${m.longestLine} bytes`);
    t.is(m.code, 0, m.stderr);
    t.true(m.peakRssKb > 0 && m.peakRssKb < MAX_RSS_KB, `${what}: peak RSS ${m.peakRssKb} kB`);
    t.true(m.longestLine < MAX_LINE, `${what}: a line of ${m.longestLine} bytes`);
    return m;
  };

  const first = await run('first run, --diff', ['--diff']);
  t.is(changed(first), 1);
  t.deepEqual(planned(first), [
    {
      kind: 'write',
      title: `create ${target}`,
      path: target,
      size: SIZE,
      sha256: source.sha256,
      before: null,
      mode: '0600',
      diff: `(diff not shown: ${SIZE} bytes, larger than the 64 KiB diff limit)`,
    },
  ]);
  t.is(await sha256OfFile(target), source.sha256, 'the file arrived whole');

  // The host's copy differs by one byte: compared by sha256 on the host, rewritten whole.
  appendFileSync(target, 'x');
  const second = await run('update, --diff', ['--diff']);
  t.is(changed(second), 1);
  t.like(planned(second)[0], { size: SIZE, sha256: source.sha256, before: { size: SIZE + 1 } });
  t.is(await sha256OfFile(target), source.sha256);

  const rerun = await run('no-change rerun', []);
  t.is(changed(rerun), 0);
  t.deepEqual(planned(rerun), []);
  t.true(
    rerun.events.every((e) => e.type !== 'step:start'),
    'nothing is written',
  );
});
