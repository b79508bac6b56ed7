// Good playbooks: plays and tasks as the engine gets them, with spans, defaults and inheritance.
import test from 'ava';
import { loadPlaybook } from '../../src/load/playbook.js';
import { testModules } from '../helpers/test-modules.js';
import { flatTasks, type Playbook } from '../../src/load/playbook-types.js';

const load = (name: string): Playbook => {
  const r = loadPlaybook(`test/fixtures/playbooks/good/${name}.yml`, testModules);
  if (!r.playbook) throw new Error(r.diagnostics.map((d) => d.message).join('\n'));
  return r.playbook;
};

test('full.yml: play keywords', (t) => {
  const pb = load('full');
  t.true(pb.dir.endsWith('test/fixtures/playbooks/good'));
  t.true(pb.text.startsWith('# Every play'));
  const [web, all] = pb.plays;
  t.like(web, {
    name: 'web tier',
    hosts: 'core:router',
    serial: [1, '50%'],
    maxFailPercentage: 25,
    anyErrorsFatal: false,
    order: 'sorted',
    become: true,
    becomeUser: 'root',
    gatherFacts: false,
    tags: ['web', 'base'],
  });
  t.deepEqual(web!.vars, { port: 8080, greeting: 'hello {{ who }}' });
  t.like(web!.at, { file: 'test/fixtures/playbooks/good/full.yml', line: 2, col: 3 });
  t.like(all, { name: 'all', hosts: 'all', serial: [], become: false, anyErrorsFatal: false, tags: [] });
  t.is(all!.order, undefined);
});

test('full.yml: pre_tasks, tasks, post_tasks in order; handlers apart', (t) => {
  const [web] = load('full').plays;
  t.deepEqual(
    flatTasks(web!.tasks).map((x) => x.name),
    [
      'before',
      'command: echo {{ greeting }}',
      'write the motd',
      'run per item',
      'wait',
      'service: name=web',
      'ping',
      'assert: that=["port == 8080","greeting is defined"]',
      'after',
    ],
  );
  t.deepEqual(
    web!.handlers.map((h) => [h.name, h.listen]),
    [
      ['restart web', []],
      ['reload things', ['reload']],
    ],
  );
});

test('full.yml: task keywords', (t) => {
  const tasks = flatTasks(load('full').plays[0]!.tasks);
  t.like(tasks[1], {
    module: 'command',
    params: { cmd: 'echo {{ greeting }}' },
    register: 'echoed',
    changedWhen: ['false'],
    failedWhen: ["echoed.rc != 0 and 'fine' not in echoed.stdout"],
    when: [],
    loopVar: 'item',
    ignoreErrors: false,
    noLog: false,
  });
  t.like(tasks[2], {
    module: 'copy',
    notify: ['restart web'],
    when: ['echoed is succeeded', 'port | int > 1024'],
    tags: ['web', 'base', 'motd'],
  });
  t.deepEqual(tasks[2]!.params, { dest: '/etc/motd', content: '{{ greeting }}\n', mode: '0644' });
  t.like(tasks[3], { loopVar: 'f', ignoreErrors: true, noLog: true, become: false, vars: { extra: 1 } });
  t.deepEqual(tasks[3]!.loop, ['a', 'b']);
  t.like(tasks[4], {
    retries: 5,
    delay: 2,
    until: ['result is succeeded'],
    loop: '{{ things }}',
    notify: ['restart web', 'reload'],
  });
  t.is(tasks[1]!.become, undefined);
  t.is(tasks[1]!.loop, undefined);
  t.is(tasks[1]!.until, undefined);
});

test('full.yml: args merge under the module params, which win', (t) => {
  const service = flatTasks(load('full').plays[0]!.tasks)[5]!;
  t.deepEqual(service.params, { name: 'web', state: 'started', enabled: false });
  t.deepEqual(Object.keys(service.paramAt).sort(), ['enabled', 'name', 'state']);
});

test('full.yml: a param-less module and when: true', (t) => {
  const pb = load('full');
  t.deepEqual(flatTasks(pb.plays[0]!.tasks)[6]!.params, {});
  t.deepEqual(flatTasks(pb.plays[1]!.tasks)[0]!.when, ['true']);
});

test('spans: task at its mapping, each param at its value', (t) => {
  const tasks = flatTasks(load('full').plays[0]!.tasks);
  const file = 'test/fixtures/playbooks/good/full.yml';
  t.like(tasks[0]!.at, { file, line: 16, col: 7 });
  t.like(tasks[0]!.paramAt.cmd, { file, line: 17, col: 16 });
  t.like(tasks[2]!.paramAt.dest, { line: 25, col: 15 });
  t.like(tasks[2]!.paramAt.mode, { line: 27, col: 15 });
  t.like(tasks[5]!.paramAt.enabled, { line: 52, col: 24 });
});

test('templated.yml: templated values skip type checks until rendering', (t) => {
  const tasks = flatTasks(load('templated').plays[0]!.tasks);
  t.deepEqual(tasks[0]!.params, { list: [{ name: 'alice', uid: '{{ uid }}' }], groups: '{{ group_list }}' });
  t.deepEqual(tasks[1]!.when, ['{{ path is defined }}']);
  t.is(tasks[2]!.params.state, '{{ wanted_state }}');
  t.is(tasks[3]!.params.chdir, '{{ workdir }}');
});

test('free-form.yml: a scalar is the free-form param; args add to it; the module key wins', (t) => {
  const [ls, ping, templated] = flatTasks(load('free-form').plays[0]!.tasks);
  t.deepEqual(ls!.params, { cmd: 'ls -l', chdir: '/tmp' });
  t.like(ls!.paramAt.cmd, { line: 3, col: 16 });
  t.like(ls!.paramAt.chdir, { line: 5, col: 16 });
  t.deepEqual(ping!.params, {});
  t.is(templated!.name, 'command: {{ cmd_line }}');
});

test('every diagnostic is an error and the file loads only without them', (t) => {
  const r = loadPlaybook('test/fixtures/playbooks/good/full.yml', testModules);
  t.deepEqual(r.diagnostics, []);
  t.truthy(r.playbook);
});

test('strategies.yml: linear (the default) is unset; free and host_pinned are kept, also by their FQCN', (t) => {
  t.deepEqual(
    load('strategies').plays.map((p) => p.strategy),
    [undefined, 'free', 'host_pinned', 'free', undefined],
  );
});
