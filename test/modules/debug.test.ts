// debug module: msg, var (dotted, undefined), no connection.
import { debug } from '../../modules/debug.js';
import test from 'ava';
import { paramsCase, table } from './macro.js';

const vars = { kato: { roles: ['core', 'router'] }, name: 'n1' };

table(debug, [
  { title: 'a message', params: { msg: 'core at 10.0.0.1' }, data: { msg: 'core at 10.0.0.1' } },
  { title: 'any value as the message', params: { msg: ['a', 1] }, data: { msg: ['a', 1] } },
  { title: 'the default message', params: {}, data: { msg: 'Hello world!' } },
  {
    title: 'a variable by dotted name',
    params: { var: 'kato.roles' },
    vars,
    data: { msg: 'kato.roles: [\n  "core",\n  "router"\n]', 'kato.roles': ['core', 'router'] },
  },
  { title: 'a string variable is shown as is', params: { var: 'name' }, vars, data: { msg: 'name: n1', name: 'n1' } },
  {
    title: 'an undefined variable says so',
    params: { var: 'kato.version' },
    vars,
    data: { msg: 'kato.version: VARIABLE IS NOT DEFINED!', 'kato.version': 'VARIABLE IS NOT DEFINED!' },
  },
]);

test('debug: runs on the controller only', (t) => {
  t.true(debug.local);
});

test(paramsCase, debug, { msg: 'a', var: 'b' }, /msg or var, not both/);
test(paramsCase, debug, { var: 'a b' }, /var must be a variable name/);
