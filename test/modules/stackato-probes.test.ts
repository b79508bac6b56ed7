// Stackato modules' gather on a sandbox host: what they read from the node's files decides the plan.
import { rename } from '../../modules/stackato/rename.js';
import { table } from './macro.js';

// kato is not on the sandbox, so these rows check the plan and do not apply it.
table(rename, [
  {
    title: 'the hostname in /etc/hostname already: nothing to do',
    params: { hostname: 'stackato.example.com' },
    host: { files: { '/etc/hostname': 'stackato.example.com\n' } },
    note: 'hostname is already stackato.example.com',
  },
  {
    title: 'another hostname: kato node rename without restarting',
    params: { hostname: 'n2.example.com' },
    host: { files: { '/etc/hostname': 'stackato\n' } },
    steps: [{ title: '~ hostname: stackato -> n2.example.com', cmd: 'kato node rename n2.example.com --no-restart' }],
    converge: false,
  },
  {
    title: 'no /etc/hostname: the name is (none); restart when asked',
    params: { hostname: 'n2', restart: true },
    steps: [{ title: '~ hostname: (none) -> n2', cmd: 'kato node rename n2' }],
    converge: false,
  },
]);
