// Loading many hosts into one group is linear: listing a host in a group never scans the group (no timed assertion; see BENCHMARKS.md).
import test from 'ava';
import { addHostToGroup, ensureGroup, ensureHost, newDraft } from '../../src/inventory/draft.js';
import { loadInventoryTexts } from '../../src/inventory/load.js';

/** Element reads and searches on a group's host list: a scan per added host would make this grow as N². */
function countingList(): { list: string[]; reads: () => number } {
  let reads = 0;
  const list = new Proxy<string[]>([], {
    get(target, key, receiver) {
      if (key === 'includes' || key === 'indexOf' || (typeof key === 'string' && /^\d+$/.test(key))) reads++;
      return Reflect.get(target, key, receiver);
    },
  });
  return { list, reads: () => reads };
}

test('adding N hosts to one group reads the group list O(N) times, not O(N^2)', (t) => {
  const d = newDraft();
  const g = ensureGroup(d, 'dea');
  const { list, reads } = countingList();
  g.hosts = list;
  const n = 5_000;
  for (let i = 0; i < n; i++) {
    ensureHost(d, `node${i}`);
    addHostToGroup(d, 'dea', `node${i}`);
    addHostToGroup(d, 'dea', `node${i}`); // listed twice: still once
  }
  t.is(g.hosts.length, n);
  t.true(reads() <= 2 * n, `${reads()} reads of the group list for ${n} hosts`);
});

test('100,000 hosts in one INI group load, each once, in inventory order', (t) => {
  t.timeout(180_000); // a bound for a hung load on a busy machine, not a speed target (that is in BENCHMARKS.md)
  const n = 100_000;
  const text = `[dea]\n${Array.from({ length: n }, (_, i) => `node${i} ansible_host=10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`).join('\n')}\n`;
  const { inventory, diagnostics } = loadInventoryTexts([{ file: 'big.ini', text }]);
  t.deepEqual(diagnostics, []);
  const dea = inventory.groups.get('dea')!.hosts;
  t.is(dea.length, n);
  t.is(dea[0], 'node0');
  t.is(dea[n - 1], `node${n - 1}`);
  t.is(inventory.hosts.size, n);
});
