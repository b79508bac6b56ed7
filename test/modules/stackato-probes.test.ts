// Stackato modules' gather on a sandbox host: what they read from the node's files decides the plan.
import { rename } from '../../modules/stackato/rename.js';
import { table } from './macro.js';

// kato is not on the sandbox: the rows that need `kato info` are plan tests in stackato.test.ts.
table(rename, [
  {
    title: 'the hostname in /etc/hostname already: nothing to do',
    params: { hostname: 'stackato.example.com' },
    host: { files: { '/etc/hostname': 'stackato.example.com\n' } },
    note: 'hostname is already stackato.example.com',
  },
]);
