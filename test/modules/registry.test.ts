// The module registry and docs: names, docs with examples, described strict params, import boundary, file size.
import test from 'ava';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { modules } from '../../modules/index.js';
import { paramDocs, renderModuleDoc, renderModuleList, typeName } from '../../src/commands/modules.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const MODULES = join(ROOT, 'modules');
const GENERIC = ['command', 'shell', 'copy', 'file', 'template', 'wait_for', 'assert', 'debug'];

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

test('the registry holds the generic modules under their own names', (t) => {
  for (const name of GENERIC) t.is(modules.get(name)?.name, name);
  for (const [key, m] of modules) t.is(key, m.name);
});

test('every module has a one-line summary, a doc with an example, and a file named like its key', (t) => {
  for (const m of modules.values()) {
    t.regex(m.summary, /^[A-Z][^\n]{10,100}$/, m.name);
    t.regex(m.doc ?? '', /Example:\n\s+- name: /, `${m.name} doc has an example`);
    if (GENERIC.includes(m.name)) t.true(statSync(join(MODULES, `${m.name}.ts`)).isFile());
  }
});

test('every param is described and unknown keys are refused', (t) => {
  for (const m of modules.values()) {
    for (const p of paramDocs(m)) t.not(p.description, '', `${m.name}.${p.name} has a description`);
    // set_fact's keys are the variables it sets: any variable name is a param, anything else is refused.
    if (m.name === 'set_fact') {
      t.false(m.params.safeParse({ 'not a name': 1 }).success, 'set_fact refuses a key that is no variable name');
      continue;
    }
    const r = m.params.safeParse({ no_such_param_anywhere: 1 });
    t.false(r.success);
    if (!r.success)
      t.true(
        r.error.issues.some((i) => i.code === 'unrecognized_keys'),
        `${m.name} is strict`,
      );
  }
});

test('modules/ imports only src/sdk.ts, node built-ins never, other files of modules/ freely', (t) => {
  for (const file of tsFiles(MODULES)) {
    const text = readFileSync(file, 'utf8');
    for (const [, spec] of text.matchAll(/^\s*(?:import|export)\b[^'"]*?\bfrom\s+['"]([^'"]+)['"]/gm)) {
      const where = `${relative(ROOT, file)} imports ${spec}`;
      t.true(spec!.startsWith('.'), `${where}: only relative imports`);
      const target = resolve(dirname(file), spec!.replace(/\.js$/, '.ts'));
      t.true(target === join(ROOT, 'src/sdk.ts') || target.startsWith(`${MODULES}/`), where);
    }
    t.notRegex(text, /\bimport\s*\(/, `${relative(ROOT, file)}: no dynamic imports`);
  }
});

test('generic module files stay under 150 lines and start with a one-line comment', (t) => {
  for (const name of GENERIC) {
    const text = readFileSync(join(MODULES, `${name}.ts`), 'utf8');
    t.true(text.split('\n').length <= 150, `${name}.ts is ${text.split('\n').length} lines`);
    t.regex(text, /^\/\/ [^\n]+\n(?!\/\/)/, `${name}.ts opens with one comment line`);
  }
});

test('the module list names every module with its summary', (t) => {
  const text = renderModuleList(modules);
  for (const m of modules.values())
    t.regex(text, new RegExp(`^${m.name} +${m.summary.replace(/[()]/g, '\\$&')}$`, 'm'));
});

test('a module doc has the summary, the traits, the doc and a params table from the schema', (t) => {
  const text = renderModuleDoc(modules.get('command')!);
  t.true(text.startsWith('command: Run a program with arguments on the host (no shell)\n'));
  t.regex(text, /Free-form: `command: VALUE` sets cmd\./);
  t.regex(text, /Not idempotent/);
  t.regex(text, /^ {2}name +type +required +default +description$/m);
  t.regex(text, /^ {2}argv +list of string \| number +no +The program and its arguments/m);
  t.regex(text, /^ {2}stdin_add_newline +boolean +no +true +End stdin/m);
  const file = renderModuleDoc(modules.get('file')!);
  t.regex(file, /^ {2}path +string +yes +Absolute path on the host\.$/m);
  t.regex(
    file,
    /^ {2}state +"file" \| "directory" \| "absent" \| "touch" \| "link" +no +"file" +What path should be\.$/m,
  );
  t.regex(renderModuleDoc(modules.get('debug')!), /Runs on the controller only/);
});

test('type names from JSON Schema', (t) => {
  t.is(typeName({ type: 'string' }), 'string');
  t.is(typeName({ type: 'array', items: { type: 'integer' } }), 'list of integer');
  t.is(
    typeName({ anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] }),
    'string | list of string',
  );
  t.is(typeName({ enum: ['a', 'b'] }), '"a" | "b"');
  t.is(typeName({ type: 'object' }), 'map');
  t.is(typeName({}), 'any');
});
