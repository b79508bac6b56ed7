// The keywords of plays and tasks, and the Ansible ones stackplay does not support (with what to do instead).

// Ties in did-you-mean go to the earlier key: "taks" should suggest "tasks", not "tags".
export const PLAY_KEYS = [
  'name',
  'hosts',
  'tasks',
  'handlers',
  'pre_tasks',
  'post_tasks',
  'vars',
  'serial',
  'max_fail_percentage',
  'any_errors_fatal',
  'order',
  'become',
  'become_user',
  'become_method',
  'gather_facts',
  'tags',
] as const;

export const TASK_KEYS = [
  'name',
  'when',
  'loop',
  'with_items',
  'with_dict',
  'loop_control',
  'register',
  'notify',
  'tags',
  'ignore_errors',
  'changed_when',
  'failed_when',
  'retries',
  'delay',
  'until',
  'become',
  'become_user',
  'become_method',
  'no_log',
  'vars',
  'args',
  'timeout',
] as const;

export const HANDLER_KEYS = [...TASK_KEYS, 'listen'] as const;

export const ORDERS = ['phased', 'inventory', 'sorted', 'reverse_inventory', 'reverse_sorted'] as const;

const withLoop = 'use "loop:" with a list (or a template giving one)';
const inline = 'write the tasks directly in this playbook';

/** Ansible keywords that are not supported (yet), with a hint; reported instead of "unknown key". */
export const UNSUPPORTED: Record<string, string> = {
  block: 'list the tasks one by one (repeat "when" on each)',
  rescue: 'use ignore_errors and a task with "when: result is failed"',
  always: 'list the tasks one by one',
  include_tasks: inline,
  import_tasks: inline,
  include: inline,
  import_playbook: inline,
  include_role: inline,
  import_role: inline,
  roles: inline,
  include_vars: 'use play "vars" or -e @file.yml',
  vars_files: 'use play "vars" or -e @file.yml',
  delegate_to: 'target the host with a play of its own',
  local_action: 'use a module that runs on the controller (debug, assert)',
  run_once: 'target one host with a play of its own',
  environment: 'set variables in the command itself (shell: FOO=1 cmd)',
  async: 'use retries/until to wait for a result',
  poll: 'use retries/until to wait for a result',
  with_list: withLoop,
  with_nested: withLoop,
  with_together: withLoop,
  with_fileglob: withLoop,
  with_sequence: withLoop,
  with_subelements: withLoop,
  with_indexed_items: withLoop,
  check_mode: 'run the whole playbook with --check',
  diff: 'run with --diff',
  strategy: 'stackplay runs tasks in lock-step per batch (use serial)',
  connection: 'connections come from the inventory',
  remote_user: 'set ansible_user in the inventory',
  gather_subset: 'modules gather the facts they need',
};
