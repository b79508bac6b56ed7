// Which tasks --tags and --skip-tags select, with Ansible's special tags always / never / untagged.

export function taskSelected(taskTags: readonly string[], only: readonly string[], skip: readonly string[]): boolean {
  const tags = new Set(taskTags);
  if (skip.some((t) => tags.has(t) || (t === 'untagged' && tags.size === 0))) return false;
  if (tags.has('never') && !only.some((t) => tags.has(t))) return false;
  if (only.length === 0 || only.includes('all')) return true;
  if (tags.has('always')) return true;
  return only.some((t) => tags.has(t) || (t === 'untagged' && tags.size === 0) || (t === 'tagged' && tags.size > 0));
}
