// A play's vars_files: YAML mappings read at load time, relative to the playbook, merged in order.
import { dirname, isAbsolute, join } from 'node:path';
import { isMap, isScalar, isSeq } from 'yaml';
import { checkTemplates, describeNode, report, type Entry, type LoadContext, type YNode } from './playbook-node.js';
import { loadYaml } from './source.js';

/** One vars file: its mapping, or undefined with the problem reported. */
function readOne(ctx: LoadContext, node: YNode): Record<string, unknown> | undefined {
  const name = isScalar(node) && typeof node.value === 'string' ? node.value.trim() : undefined;
  if (!name) {
    report(
      ctx,
      'E_PLAYBOOK_TYPE',
      `vars_files: expected a file name, got ${describeNode(node)}`,
      node,
      'e.g. "vars_files: [vars/cluster.yml]"',
    );
    return undefined;
  }
  if (name.includes('{{')) {
    report(
      ctx,
      'E_UNSUPPORTED',
      'vars_files: templates in file names are not supported',
      node,
      'name the file; pick per-host values with group_vars in the inventory',
    );
    return undefined;
  }
  const path = isAbsolute(name) ? name : join(dirname(ctx.src.file), name);
  const loaded = loadYaml(path);
  if (!loaded.src) {
    const why = loaded.diagnostics[0]?.message.split(': ').at(-1) ?? 'unreadable';
    report(ctx, 'E_VARS_FILE', `vars_files: cannot read ${name}: ${why}`, node, 'the path is relative to the playbook');
    return undefined;
  }
  ctx.diagnostics.push(...loaded.diagnostics);
  const sub: LoadContext = { src: loaded.src, diagnostics: ctx.diagnostics };
  const root = loaded.src.doc.contents as YNode;
  if (isScalar(root) && (root.value === null || root.value === '')) return {};
  if (!isMap(root)) {
    report(sub, 'E_VARS_FILE', `${name}: a vars file is a mapping of names to values, got ${describeNode(root)}`, root);
    return undefined;
  }
  checkTemplates(sub, root);
  return root.toJS(loaded.src.doc) as Record<string, unknown>;
}

/** The vars of every file listed, later files winning (Ansible's order). */
export function readVarsFiles(ctx: LoadContext, e: Entry): Record<string, unknown> {
  const items: YNode[] = isSeq(e.value) ? (e.value.items as YNode[]) : [e.value];
  return Object.assign({}, ...items.map((n) => readOne(ctx, n) ?? {}));
}
