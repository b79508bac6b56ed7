// Validate before touch: small playbooks whose variables are defined, guarded or missing for some hosts, checked at load.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import test from 'ava';
import { formatDiagnostic, type Diagnostic } from '../../src/errors.js';
import { loadForRun } from '../../src/run.js';

const INVENTORY = `
[web]
web1 ansible_connection=local port=80
web2 ansible_connection=local

[db]
db1 ansible_connection=local db_name=main

[all:vars]
site=example.test
`;

interface Case {
  playbook: string;
  inventory?: string;
  files?: Record<string, string>;
  extraVars?: string[];
  limit?: string;
  tags?: string[];
}

/** Loads the case as `stackplay run` does; returns the undefined-variable diagnostics (and any other error). */
function check(t: { teardown(fn: () => void): void }, c: Case): Diagnostic[] {
  const dir = mkdtempSync(join(tmpdir(), 'sp-undef-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'hosts.ini'), c.inventory ?? INVENTORY);
  writeFileSync(join(dir, 'site.yml'), c.playbook);
  for (const [name, text] of Object.entries(c.files ?? {})) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  const { diagnostics } = loadForRun({
    playbook: join(dir, 'site.yml'),
    inventories: [join(dir, 'hosts.ini')],
    extraVars: c.extraVars ?? [],
    ...(c.limit ? { limit: c.limit } : {}),
    ...(c.tags ? { tags: c.tags } : {}),
  });
  return diagnostics.filter((d) => d.severity === 'error');
}

const messages = (ds: Diagnostic[]) => ds.map((d) => d.message);

test('a defined inventory var, play var, magic var and -e var pass', (t) => {
  const ds = check(t, {
    playbook: `
- hosts: all
  vars: { greeting: hello }
  tasks:
    - debug: { msg: "{{ greeting }} {{ site }} {{ inventory_hostname }} {{ groups.web | length }} {{ group_names }} {{ hostvars[inventory_hostname].site }} {{ ansible_check_mode }} {{ playbook_dir }} {{ from_cli }}" }
`,
    extraVars: ['from_cli=1'],
  });
  t.deepEqual(ds, []);
});

test('an unguarded undefined var is one diagnostic naming every host and the place', (t) => {
  const ds = check(t, {
    playbook: `- hosts: all
  tasks:
    - debug: { msg: "port {{ nope }}" }
`,
  });
  t.is(ds.length, 1);
  t.is(ds[0]!.code, 'E_UNDEFINED_VAR');
  t.is(ds[0]!.message, 'undefined variable "nope" for 3 hosts: web1, web2, db1');
  t.like(ds[0]!.at, { line: 3, col: 30 });
  t.regex(formatDiagnostic(ds[0]!), /site\.yml:3:30/);
});

test('per-host differences: only the hosts lacking the var are named', (t) => {
  const ds = check(t, {
    playbook: `- hosts: web
  tasks:
    - debug: { msg: "{{ port }}" }
`,
  });
  t.deepEqual(messages(ds), ['undefined variable "port" for host web2']);
});

test('a close name gets a did-you-mean hint', (t) => {
  const ds = check(t, { playbook: '- hosts: db\n  tasks:\n    - debug: { msg: "{{ db_nmae }}" }\n' });
  t.is(ds[0]!.hint, 'did you mean "db_name"?');
});

test('guards: is defined, default, d, when on the task, if and inline if, and/or', (t) => {
  const ds = check(t, {
    playbook: `
- hosts: all
  tasks:
    - debug: { msg: "{{ port | default(8080) }} {{ port | d(1) }} {{ a.b.c | default('x') }} {{ omit }}" }
    - debug: { msg: "{{ port }}" }
      when: port is defined
    - debug: { msg: "{{ port }}" }
      when: [site is defined, "port is defined and port > 1"]
    - debug: { msg: "{% if port is defined %}{{ port }}{% endif %} {{ port if port is defined else 0 }}" }
    - debug: { msg: "{{ port is defined and port > 1 }} {{ port is not defined or port > 1 }}" }
    - debug: { msg: "{{ 'x' if nothing is undefined else nothing }}" }
`,
  });
  t.deepEqual(ds, []);
});

test('a default whose fallback is itself undefined is flagged only where the value is missing', (t) => {
  const ds = check(t, {
    playbook: '- hosts: web\n  tasks:\n    - debug: { msg: "{{ port | default(fallback) }}" }\n',
  });
  t.deepEqual(messages(ds), ['undefined variable "fallback" for host web2']);
});

test('a when that is false at load for a host skips the check there, true checks it', (t) => {
  const ds = check(t, {
    playbook: `- hosts: all
  tasks:
    - debug: { msg: "{{ port }}" }
      when: inventory_hostname == 'web1'
    - debug: { msg: "{{ db_name }}" }
      when: "'db' in group_names or site == 'other'"
    - debug: { msg: "{{ db_name }}" }
      when: site == 'example.test'
`,
  });
  t.deepEqual(messages(ds), ['undefined variable "db_name" for 2 hosts: web1, web2']);
  t.like(ds[0]!.at, { line: 7 });
});

test('a branch whose condition is known only at run time is not flagged (no false alarm)', (t) => {
  const ds = check(t, {
    playbook: `- hosts: all
  tasks:
    - command: uptime
      register: up
    - debug: { msg: "{% if up.rc == 0 %}{{ later }}{% endif %}" }
    - debug: { msg: "{{ later }}" }
      when: up.rc == 0
    - debug: { msg: "{{ lookup('env', 'HOME') and later2 }}" }
`,
  });
  t.deepEqual(ds, []);
});

test('register: defined from the registering task on, for every targeted host, also when it may be skipped', (t) => {
  const ds = check(t, {
    playbook: `- hosts: all
  tasks:
    - debug: { msg: "{{ out.stdout }}" }
    - command: uptime
      register: out
      when: inventory_hostname == 'nowhere'
    - debug: { msg: "{{ out.stdout }} {{ out.rc }}" }
- hosts: db
  tasks:
    - debug: { msg: "{{ out.rc }}" }
`,
  });
  t.deepEqual(messages(ds), ['undefined variable "out" for 3 hosts: web1, web2, db1']);
  t.like(ds[0]!.at, { line: 3 });
});

test("register on one play's hosts does not define it for hosts of a later play that did not run it", (t) => {
  const ds = check(t, {
    playbook: `- hosts: web
  tasks:
    - command: uptime
      register: out
- hosts: all
  tasks:
    - debug: { msg: "{{ out.rc }}" }
`,
  });
  t.deepEqual(messages(ds), ['undefined variable "out" for host db1']);
});

test('changed_when, failed_when and until see the registered result; their own undefined vars are flagged', (t) => {
  const ds = check(t, {
    playbook: `- hosts: db
  tasks:
    - command: uptime
      register: r
      changed_when: r.rc != 0 and result.rc != 0
      failed_when: r.rc > limit
      until: r.rc == 0
`,
  });
  t.deepEqual(messages(ds), ['undefined variable "limit" for host db1']);
});

test('set_fact names are defined for the tasks after it', (t) => {
  const ds = check(t, {
    playbook: `- hosts: all
  tasks:
    - debug: { msg: "{{ url }}" }
    - set_fact: { url: "https://{{ site }}", cacheable: true }
    - debug: { msg: "{{ url }}" }
`,
  });
  t.deepEqual(messages(ds), ['undefined variable "url" for 3 hosts: web1, web2, db1']);
  t.like(ds[0]!.at, { line: 3 });
});

test('loop vars: item, loop_var, index_var, with_items and with_dict; the loop itself is checked', (t) => {
  const ds = check(t, {
    playbook: `- hosts: db
  tasks:
    - debug: { msg: "{{ item }}" }
      loop: [1, 2]
    - debug: { msg: "{{ n }} {{ i }}" }
      loop: "{{ groups.web }}"
      loop_control: { loop_var: n, index_var: i }
    - debug: { msg: "{{ item }}" }
      with_items: ["{{ site }}", "{{ missing_item }}"]
    - debug: { msg: "{{ item.key }}={{ item.value }}" }
      with_dict: { a: 1 }
    - debug: { msg: "{{ item }}" }
      when: item > 1
      loop: [1, 2]
    - debug: { msg: "{{ item }}" }
`,
  });
  t.deepEqual(messages(ds), [
    'undefined variable "missing_item" for host db1',
    'undefined variable "item" for host db1',
  ]);
});

test('role defaults and vars, vars_files, block vars and include vars are defined', (t) => {
  const ds = check(t, {
    playbook: `- hosts: all
  vars_files: [vars/common.yml]
  roles: [web]
  tasks:
    - debug: { msg: "{{ from_file }} {{ role_default }} {{ role_var }}" }
    - block:
        - debug: { msg: "{{ block_var }}" }
      vars: { block_var: 1 }
    - include_tasks: inc.yml
      vars: { inc_var: 2 }
    - import_tasks: inc2.yml
      vars: { imp_var: 3 }
`,
    files: {
      'vars/common.yml': 'from_file: yes\n',
      'roles/web/defaults/main.yml': 'role_default: 1\n',
      'roles/web/vars/main.yml': 'role_var: 2\n',
      'roles/web/tasks/main.yml': '- debug: { msg: "{{ role_default }}" }\n',
      'inc.yml': '- debug: { msg: "{{ inc_var }}" }\n',
      'inc2.yml': '- debug: { msg: "{{ imp_var }} {{ not_in_import }}" }\n',
    },
  });
  t.deepEqual(messages(ds), ['undefined variable "not_in_import" for 3 hosts: web1, web2, db1']);
  t.regex(ds[0]!.at!.file, /inc2\.yml$/);
});

test('a play var holding a template renders when used: the vars it reads are checked too', (t) => {
  const ds = check(t, {
    playbook: `- hosts: web
  vars:
    endpoint: "api.{{ cluster_name }}"
    fine: "{{ site }}"
  tasks:
    - debug: { msg: "{{ endpoint }} {{ fine }}" }
`,
  });
  t.deepEqual(messages(ds), ['undefined variable "cluster_name" (read through "endpoint") for 2 hosts: web1, web2']);
});

test('attribute access is checked below the root only when the value is known: groups.controller', (t) => {
  const ds = check(t, {
    playbook: `- hosts: db
  tasks:
    - debug: { msg: "{{ groups.web[0] }} {{ groups.controler | length }} {{ groups.items() | list }}" }
    - debug: { msg: "{{ groups.controller | length }}" }
      when: groups.controller is defined
    - command: uptime
      register: r
    - debug: { msg: "{{ r.anything.deep }}" }
`,
  });
  t.deepEqual(messages(ds), ['undefined variable "groups.controler" for host db1']);
});

test('names a template file sets with set and for are its own; others are checked at their line in the file', (t) => {
  const ds = check(t, {
    playbook: `- hosts: web
  tasks:
    - template: { src: templates/app.conf.j2, dest: /tmp/app.conf }
`,
    files: {
      'templates/app.conf.j2': `{% set base = site %}
{% for h in groups.web %}{{ h }} {{ loop.index }} {{ base }}{% endfor %}
listen {{ port }}
{% if tls is defined %}{{ tls.cert }}{% endif %}
`,
    },
  });
  t.deepEqual(messages(ds), ['undefined variable "port" for host web2']);
  t.like(ds[0]!.at, { line: 3, col: 11 });
  t.regex(ds[0]!.at!.file, /app\.conf\.j2$/);
});

test('facts: ansible_* are defined after gather_facts; without it the hint names gather_facts', (t) => {
  const ds = check(t, {
    playbook: `- hosts: db
  gather_facts: true
  tasks:
    - debug: { msg: "{{ ansible_hostname }}" }
- hosts: web
  tasks:
    - debug: { msg: "{{ ansible_distribution }}" }
`,
  });
  t.deepEqual(messages(ds), ['undefined variable "ansible_distribution" for 2 hosts: web1, web2']);
  t.regex(ds[0]!.hint!, /gather_facts: true/);
});

test('--limit and --tags narrow what is checked', (t) => {
  const playbook = `- hosts: web
  tasks:
    - debug: { msg: "{{ port }}" }
      tags: [ports]
    - debug: { msg: "{{ site }}" }
`;
  t.deepEqual(check(t, { playbook, limit: 'web1' }), []);
  t.deepEqual(check(t, { playbook, tags: ['other'] }), []);
  t.is(check(t, { playbook, tags: ['ports'] }).length, 1);
});

test('an include whose file name is a template opens the scope: nothing after it is flagged', (t) => {
  const ds = check(t, {
    playbook: `- hosts: db
  tasks:
    - include_tasks: "{{ db_name }}.yml"
    - debug: { msg: "{{ set_in_there }}" }
`,
    files: { 'main.yml': '- set_fact: { set_in_there: 1 }\n' },
  });
  t.deepEqual(ds, []);
});

test('handlers are checked, and may use what the tasks registered', (t) => {
  const ds = check(t, {
    playbook: `- hosts: db
  tasks:
    - command: uptime
      register: up
      notify: show
  handlers:
    - name: show
      debug: { msg: "{{ up.rc }} {{ handler_missing }}" }
`,
  });
  t.deepEqual(messages(ds), ['undefined variable "handler_missing" for host db1']);
});

test('a var used in many places and hosts is one diagnostic with the other places', (t) => {
  const ds = check(t, {
    playbook: `- hosts: all
  tasks:
    - debug: { msg: "{{ fqdn }}" }
    - debug: { msg: "{{ fqdn }}" }
    - debug: { msg: "{{ fqdn }}" }
`,
    inventory: `[all]\n${Array.from({ length: 12 }, (_, i) => `n${i} ansible_connection=local`).join('\n')}\n`,
  });
  t.is(ds.length, 1);
  t.regex(
    ds[0]!.message,
    /^undefined variable "fqdn" for 12 hosts: n0, n1, n2, n3, n4 and 7 more; also used at .*site\.yml:4:\d+, .*site\.yml:5:\d+$/,
  );
});

test('a condition in when with an undefined var is flagged at its column', (t) => {
  const ds = check(t, {
    playbook: `- hosts: db
  tasks:
    - debug: { msg: hi }
      when: enabled_flag | bool
`,
  });
  t.deepEqual(messages(ds), ['undefined variable "enabled_flag" for host db1']);
  t.like(ds[0]!.at, { line: 4, col: 13 });
});

test("an include_tasks' when gates the tasks it brings; its own loop var and vars are theirs", (t) => {
  const ds = check(t, {
    playbook: `- hosts: db
  tasks:
    - include_tasks: inc.yml
      when: false
    - include_tasks: inc.yml
      when: "'db' in group_names"
      vars: { inc_missing: 1 }
    - include_tasks: each.yml
      loop: [a, b]
`,
    files: { 'inc.yml': '- debug: { msg: "{{ inc_missing }}" }\n', 'each.yml': '- debug: { msg: "{{ item }}" }\n' },
  });
  t.deepEqual(ds, []);
});

test("assert's that are conditions: checked, each read only when the ones before it hold", (t) => {
  const ds = check(t, {
    playbook: `- hosts: web
  tasks:
    - assert:
        that:
          - port is defined
          - port > 1
          - site == 'example.test'
          - not_there == 1
        fail_msg: "{{ also_not_there | default('x') }}"
`,
  });
  t.deepEqual(messages(ds), ['undefined variable "not_there" for host web1']);
});

test('magic vars only Ansible sets are reported with a hint saying so', (t) => {
  const ds = check(t, { playbook: '- hosts: db\n  tasks:\n    - debug: { msg: "{{ play_hosts | length }}" }\n' });
  t.deepEqual(messages(ds), ['undefined variable "play_hosts" for host db1']);
  t.regex(ds[0]!.hint!, /Ansible sets play_hosts; stackplay does not/);
});

test('an include_tasks left out by --tags brings no checks (its tasks do not run)', (t) => {
  const playbook = `- hosts: db
  tasks:
    - include_tasks: inc.yml
      tags: [inc]
    - debug: { msg: "{{ site }}" }
      tags: [other]
`;
  const files = { 'inc.yml': '- debug: { msg: "{{ inc_missing }}" }\n  tags: [other]\n' };
  t.deepEqual(check(t, { playbook, files, tags: ['other'] }), []);
  t.deepEqual(messages(check(t, { playbook, files, tags: ['inc', 'other'] })), [
    'undefined variable "inc_missing" for host db1',
  ]);
});
