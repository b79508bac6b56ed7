// Framed: a command's stream ends at its own marker line however the bytes are cut into chunks.
import test from 'ava';
import { Framed } from '../../src/transport/framed.js';

const MARK = 'spm0123456789abcdef';
const out = (id: number) => new Framed(Buffer.from(`${MARK}${id}:`, 'latin1'), true);
const err = (id: number) => new Framed(Buffer.from(`${MARK}${id}\n`, 'latin1'), false);

/** Feeds `stream` in chunks of the given sizes to one Framed per id in turn, as the shell session does. */
function frame(stream: Buffer, sizes: (i: number) => number, make: (id: number) => Framed, ids: number) {
  const got: { content: string; value: string }[] = [];
  let id = 1;
  let cur = make(id);
  for (let at = 0, i = 0; at < stream.length; i++) {
    let chunk: Buffer | undefined = stream.subarray(at, at + sizes(i));
    at += chunk.length;
    while (chunk) {
      chunk = cur.push(chunk);
      const done = cur.done();
      if (!done) break;
      got.push({ content: done.content.toString('latin1'), value: done.value });
      if (++id > ids) return { got, rest: chunk?.toString('latin1') ?? '' };
      cur = make(id);
    }
  }
  return { got, rest: '' };
}

// Output that holds near-markers: another id's, one without a code, a code that is not one.
const contents = ['plain\n', `no newline at the end${MARK}12:0 is not mine`, '', `${MARK}1:x\nfake\n`, 'é\u0000bytes'];
const stdout = Buffer.from(
  contents.map((c, i) => `${c}${MARK}${i + 1}:${i === 2 ? 'skip' : i * 7}\n`).join('') + 'next',
  'latin1',
);

test('stdout: contents and codes are the same however the stream is cut', (t) => {
  const want = contents.map((content, i) => ({ content, value: i === 2 ? 'skip' : String(i * 7) }));
  const cuts: Array<[string, (i: number) => number]> = [
    ['whole', () => stdout.length],
    ['byte by byte', () => 1],
    ['3 bytes', () => 3],
    ['odd sizes', (i) => 1 + ((i * 7919) % 41)],
  ];
  for (const [name, sizes] of cuts) {
    const r = frame(stdout, sizes, out, contents.length);
    t.deepEqual(r.got, want, name);
  }
  // What follows the last marker is handed back (the next command's bytes).
  t.is(frame(stdout, () => stdout.length, out, contents.length).rest, 'next');
});

test("stderr: the marker alone on its line ends the stream; another id's does not", (t) => {
  const stream = Buffer.from(`warn\n${MARK}11\n${MARK}1\nthen${MARK}2\n`, 'latin1');
  for (const size of [stream.length, 1, 5]) {
    const r = frame(stream, () => size, err, 2);
    t.deepEqual(r.got, [
      { content: `warn\n${MARK}11\n`, value: '' },
      { content: 'then', value: '' },
    ]);
  }
});

test('no marker yet: nothing is done, and bytes keep coming in', (t) => {
  const f = out(3);
  t.is(f.push(Buffer.from(`partial ${MARK}3`)), undefined);
  t.is(f.done(), undefined);
  t.is(f.push(Buffer.from(':1')), undefined);
  t.is(f.done(), undefined);
  t.is(f.push(Buffer.from('27\nrest'))?.toString(), 'rest');
  t.deepEqual(f.done(), { content: Buffer.from('partial '), value: '127' });
});
