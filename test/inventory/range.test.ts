// Host ranges: padding, letters, strides, several ranges, and every kind of bad range.
import test from 'ava';
import { expandHostRange, MAX_RANGE_HOSTS } from '../../src/inventory/range.js';

const good: Array<[string, string[]]> = [
  ['web1', ['web1']],
  ['web[1:3]', ['web1', 'web2', 'web3']],
  ['web[01:03].example.com', ['web01.example.com', 'web02.example.com', 'web03.example.com']],
  ['web[08:11]', ['web08', 'web09', 'web10', 'web11']],
  ['db-[a:c]', ['db-a', 'db-b', 'db-c']],
  ['x[y:B]', ['xy', 'xz', 'xA', 'xB']],
  ['n[1:10:3]', ['n1', 'n4', 'n7', 'n10']],
  ['n[a:e:2]', ['na', 'nc', 'ne']],
  ['n[:2]', ['n0', 'n1', 'n2']],
  ['r[1:2]u[a:b]', ['r1ua', 'r1ub', 'r2ua', 'r2ub']],
  ['[1:2].lab', ['1.lab', '2.lab']],
  ['h[5:5]', ['h5']],
];

for (const [pattern, hosts] of good) {
  test(`expands ${pattern}`, (t) => {
    const r = expandHostRange(pattern);
    t.deepEqual(r.diagnostics, []);
    t.deepEqual(r.hosts, hosts);
  });
}

// As Ansible: a descending range makes no hosts (Ansible says nothing; stackplay warns why).
for (const pattern of ['web[5:1]', 'web[c:a]', 'a[1:2]b[3:1]']) {
  test(`a descending range ${pattern} makes no hosts and warns`, (t) => {
    const at = { file: 'inv.ini', line: 3, col: 1 };
    const r = expandHostRange(pattern, at);
    t.deepEqual(r.hosts, []);
    t.like(r.diagnostics, [{ severity: 'warning', code: 'E_INVENTORY_RANGE_EMPTY', at }]);
  });
}

const bad: Array<[string, RegExp]> = [
  ['web[1:c]', /mix a letter and a number/],
  ['web[a:3]', /mix a letter and a number/],
  ['web[]', /the range is empty/],
  ['web[1:]', /no end value/],
  ['web[1]', /not begin:end/],
  ['web[1:2:3:4]', /not begin:end/],
  ['web[1:5:0]', /stride "0"/],
  ['web[1:5:x]', /stride "x"/],
  ['web[01:100]', /same width/],
  ['web[aa:bb]', /both be numbers or both single letters/],
  ['web[1:3', /never closed/],
  ['web1:3]', /without a matching/],
  [`web[1:${MAX_RANGE_HOSTS + 1}]`, /more than 10000 hosts/],
  ['a[1:200]b[1:200]', /40000 hosts/],
];

for (const [pattern, message] of bad) {
  test(`rejects ${pattern}`, (t) => {
    const at = { file: 'inv.ini', line: 3, col: 1 };
    const r = expandHostRange(pattern, at);
    t.deepEqual(r.hosts, []);
    t.is(r.diagnostics.length, 1);
    const d = r.diagnostics[0]!;
    t.is(d.code, 'E_INVENTORY_RANGE');
    t.is(d.severity, 'error');
    t.regex(d.message, message);
    t.deepEqual(d.at, at);
    t.truthy(d.hint);
  });
}
