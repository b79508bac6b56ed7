// Which variables are data (registered results, loop items, facts): values that are never rendered as templates again.
const dataNames = new WeakMap<object, ReadonlySet<string>>();

/** Marks names of `vars` as data: a `{{` inside them (host output, a registered stdout) stays text. */
export function markData<T extends object>(vars: T, names: Iterable<string>): T {
  const prev = dataNames.get(vars);
  dataNames.set(vars, new Set([...(prev ?? []), ...names]));
  return vars;
}

/** `{...base, ...data}` with base's data names and every name of `data` marked as data. */
export function withData(base: Record<string, unknown>, data: Record<string, unknown>): Record<string, unknown> {
  return markData({ ...base, ...data }, [...(dataNames.get(base) ?? []), ...Object.keys(data)]);
}

export const isData = (vars: object, name: string): boolean => dataNames.get(vars)?.has(name) ?? false;

/** Whether a value holds a template anywhere (`{{` or `{%`). */
export const hasTemplate = (v: unknown, depth = 0): boolean =>
  depth > 200
    ? false
    : typeof v === 'string'
      ? v.includes('{{') || v.includes('{%')
      : Array.isArray(v)
        ? v.some((x) => hasTemplate(x, depth + 1))
        : v !== null && typeof v === 'object'
          ? Object.values(v).some((x) => hasTemplate(x, depth + 1))
          : false;
