// A small JSON Schema checker (the subset `stackplay schema` emits), so tests need no validator dependency.
type Json = Record<string, unknown>;

const typeOf = (v: unknown): string =>
  v === null ? 'null' : Array.isArray(v) ? 'array' : Number.isInteger(v) ? 'integer' : typeof v;

const typeMatches = (want: string, v: unknown) => want === typeOf(v) || (want === 'number' && typeof v === 'number');

/** The problems of `value` against `schema` (empty when valid), each with a JSON-pointer-ish path. */
export function checkJsonSchema(root: Json, value: unknown, schema: Json = root, path = ''): string[] {
  if (typeof schema.$ref === 'string') {
    const target = schema.$ref
      .replace(/^#\//, '')
      .split('/')
      .reduce<unknown>((o, k) => (o as Json)[k], root);
    return checkJsonSchema(root, value, target as Json, path);
  }
  const errors: string[] = [];
  const fail = (what: string) => errors.push(`${path || '/'}: ${what}`);
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];
    if (!types.some((t) => typeMatches(t, value)))
      return [`${path || '/'}: expected ${types.join('|')}, got ${typeOf(value)}`];
  }
  if (Array.isArray(schema.enum) && !schema.enum.some((e) => e === value))
    fail(`not one of ${JSON.stringify(schema.enum)}`);
  if (typeof value === 'string') {
    if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(value))
      fail(`does not match ${schema.pattern}`);
    if (typeof schema.minLength === 'number' && value.length < schema.minLength) fail('too short');
  }
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum) fail(`below ${schema.minimum}`);
    if (typeof schema.maximum === 'number' && value > schema.maximum) fail(`above ${schema.maximum}`);
  }
  if (Array.isArray(value)) {
    if (typeof schema.minItems === 'number' && value.length < schema.minItems) fail('too few items');
    if (schema.items && typeof schema.items === 'object')
      for (const [i, v] of value.entries())
        errors.push(...checkJsonSchema(root, v, schema.items as Json, `${path}/${i}`));
  }
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const obj = value as Json;
    const props = (schema.properties ?? {}) as Record<string, Json>;
    for (const r of (schema.required ?? []) as string[]) if (!(r in obj)) fail(`missing ${r}`);
    for (const [k, v] of Object.entries(obj)) {
      if (props[k]) errors.push(...checkJsonSchema(root, v, props[k], `${path}/${k}`));
      else if (schema.additionalProperties === false) fail(`unknown key ${k}`);
    }
  }
  if (Array.isArray(schema.anyOf)) {
    const tries = schema.anyOf.map((s) => checkJsonSchema(root, value, s as Json, path));
    if (!tries.some((e) => e.length === 0)) {
      fail('matches no alternative (anyOf)');
      // The alternatives of the right type say what is wrong inside.
      for (const e of tries) if (!(e.length === 1 && e[0]!.startsWith(`${path || '/'}: expected `))) errors.push(...e);
    }
  }
  if (
    Array.isArray(schema.oneOf) &&
    schema.oneOf.filter((s) => checkJsonSchema(root, value, s as Json, path).length === 0).length !== 1
  )
    fail('must match exactly one alternative (oneOf)');
  if (schema.if && typeof schema.if === 'object') {
    const holds = checkJsonSchema(root, value, schema.if as Json, path).length === 0;
    const branch = (holds ? schema.then : schema.else) as Json | undefined;
    if (branch) errors.push(...checkJsonSchema(root, value, branch, path));
  }
  return errors;
}
