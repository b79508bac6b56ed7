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
  'vars_files',
  'roles',
  'serial',
  'max_fail_percentage',
  'any_errors_fatal',
  'order',
  'strategy',
  'become',
  'become_user',
  'become_method',
  'gather_facts',
  'tags',
  'environment',
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
  'environment',
  'check_mode',
  'run_once',
  'delegate_to',
] as const;

export const HANDLER_KEYS = [...TASK_KEYS, 'listen'] as const;

/** Keywords a block, an import or an include passes down to the tasks inside it, as Ansible does. */
export const INHERITED_KEYS = [
  'when',
  'tags',
  'become',
  'become_user',
  'ignore_errors',
  'no_log',
  'vars',
  'environment',
  'check_mode',
  'run_once',
  'delegate_to',
] as const;

export const BLOCK_KEYS = ['name', 'block', 'rescue', 'always', ...INHERITED_KEYS] as const;

export const IMPORT_KEYS = ['name', 'import_tasks', ...INHERITED_KEYS] as const;

/** Keywords of a dynamic include (include_tasks, include_role): they apply to the include itself. */
const INCLUDE_OWN_KEYS = ['when', 'tags', 'vars', 'loop', 'with_items', 'loop_control'] as const;

export const INCLUDE_KEYS = ['name', 'include_tasks', ...INCLUDE_OWN_KEYS] as const;

export const IMPORT_ROLE_KEYS = ['name', 'import_role', ...INHERITED_KEYS] as const;

export const INCLUDE_ROLE_KEYS = ['name', 'include_role', ...INCLUDE_OWN_KEYS] as const;

export const META_KEYS = ['name', 'meta', 'when', 'tags'] as const;

/** The meta actions stackplay runs. */
export const META_ACTIONS = ['flush_handlers'] as const;

/** The play strategies stackplay runs (ansible-core 2.14's built-in linear, free and host_pinned). */
export const STRATEGIES = ['linear', 'free', 'host_pinned'] as const;

export const ORDERS = ['phased', 'inventory', 'sorted', 'reverse_inventory', 'reverse_sorted'] as const;

const withLoop = 'use "loop:" with a list (or a template giving one)';
const inline = 'write the tasks directly in this playbook';

/** Ansible keywords that are not supported (yet), with a hint; reported instead of "unknown key". */
export const UNSUPPORTED: Record<string, string> = {
  include: 'use include_tasks (dynamic) or import_tasks (static)',
  import_playbook: inline,
  include_vars: 'use play "vars" or -e @file.yml',
  local_action: 'use a module that runs on the controller (debug, assert)',
  async: 'use retries/until to wait for a result',
  poll: 'use retries/until to wait for a result',
  with_list: withLoop,
  with_nested: withLoop,
  with_together: withLoop,
  with_fileglob: withLoop,
  with_sequence: withLoop,
  with_subelements: withLoop,
  with_indexed_items: withLoop,
  diff: 'run with --diff',
  connection: 'connections come from the inventory',
  remote_user: 'set ansible_user in the inventory',
  gather_subset: 'modules gather the facts they need',
};
