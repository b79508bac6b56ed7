// Inventory and pattern cases where stackplay does not answer as ansible-core 2.14, each with why (README, "Differences from Ansible").
// The differential test prints each entry, and an entry whose case now agrees fails the test (so it gets removed).

export const EXPECTED_DIFFERENCES: Record<string, string> = {
  'ini-host-big-int':
    'deliberate: an integer beyond 2^53 (12345678901234567890) stays the text as written; a JavaScript number would silently change its digits, Python keeps them',
  'ini-host-float-integral':
    'JavaScript has one number type: 1e3, 2.0 and 1. are the number 1000/2/1 in stackplay, the floats 1000.0/2.0/1.0 in Ansible (same value, a template prints "1000" instead of "1000.0")',
  'yaml-duplicate-key':
    'deliberate: a key written twice in one YAML mapping is an error (E_YAML_DUPLICATE_KEY) in every stackplay file; Ansible warns and keeps the last',
  'yaml-plugin-file':
    'deliberate: stackplay reads only INI and YAML inventories; a plugin configuration file (plugin: ...) is refused with E_INVENTORY_PLUGIN, where Ansible runs the plugin',
  'pattern-bad-regex':
    'deliberate: a ~pattern that is not a valid regular expression is an error (E_PATTERN) at the play or --limit; Ansible warns and matches no host',
  'yaml-timestamp':
    'deliberate (README, Playbooks and results): YAML timestamps stay text; PyYAML reads 2024-01-02 10:00:00 as a datetime, which ansible-inventory prints as 2024-01-02T10:00:00',
};
