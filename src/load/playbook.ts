// Loading a playbook: YAML → plays and tasks, with every problem in the file as a diagnostic (nothing runs on errors).
import { dirname, resolve } from 'node:path';
import { isSeq, isScalar, isMap } from 'yaml';
import type { Module } from '../sdk.js';
import type { Diagnostic } from '../errors.js';
import type { Play, Playbook } from './playbook-types.js';
import { didYouMean } from '../suggest.js';
import { loadYaml } from './source.js';
import { report, type LoadContext, type YNode } from './playbook-node.js';
import { loadPlay } from './playbook-play.js';

const byPosition = (a: Diagnostic, b: Diagnostic) =>
  (a.at?.line ?? 0) - (b.at?.line ?? 0) || (a.at?.col ?? 0) - (b.at?.col ?? 0);

/** notify must name a handler (or a handler's `listen` topic) of the same play. */
function checkNotify(ctx: LoadContext, play: Play, notified: { name: string; node: YNode }[]): void {
  const names = new Set(play.handlers.flatMap((h) => [h.name, ...h.listen]));
  for (const n of notified) {
    if (names.has(n.name)) continue;
    report(
      ctx,
      'E_HANDLER_UNKNOWN',
      `notify: no handler named "${n.name}" in play "${play.name}"`,
      n.node,
      didYouMean(n.name, names) ??
        (names.size
          ? `handlers: ${[...names].map((h) => `"${h}"`).join(', ')}`
          : 'add it under "handlers:" in this play'),
    );
  }
}

/** Reads a playbook file; `playbook` is set only when there are no errors. */
export function loadPlaybook(
  file: string,
  modules: ReadonlyMap<string, Module>,
): { playbook?: Playbook; diagnostics: Diagnostic[] } {
  const loaded = loadYaml(file);
  if (!loaded.src || loaded.diagnostics.some((d) => d.severity === 'error')) return { diagnostics: loaded.diagnostics };
  const ctx: LoadContext = { src: loaded.src, diagnostics: [...loaded.diagnostics] };
  const root = loaded.src.doc.contents as YNode;
  const plays: Play[] = [];
  if (!root || (isScalar(root) && (root.value === null || root.value === ''))) {
    report(
      ctx,
      'E_PLAYBOOK_EMPTY',
      `${file} has no plays`,
      root,
      'a playbook is a list of plays: "- hosts: all" then "tasks:"',
    );
  } else if (!isSeq(root)) {
    report(
      ctx,
      'E_PLAYBOOK_SHAPE',
      `a playbook is a list of plays, got ${isMap(root) ? 'a mapping' : 'a single value'}`,
      root,
      isMap(root)
        ? 'start the play with "- " (a list item): "- hosts: all"'
        : 'a playbook is a list of plays: "- hosts: all" then "tasks:"',
    );
  } else {
    if (root.items.length === 0)
      report(ctx, 'E_PLAYBOOK_EMPTY', `${file} has no plays`, root, 'add a play: "- hosts: all" then "tasks:"');
    root.items.forEach((item, i) => {
      const p = loadPlay(ctx, item as YNode, i, modules);
      if (!p) return;
      checkNotify(ctx, p.play, p.notified);
      plays.push(p.play);
    });
  }
  const diagnostics = ctx.diagnostics.sort(byPosition);
  if (diagnostics.some((d) => d.severity === 'error')) return { diagnostics };
  return { playbook: { file, dir: dirname(resolve(file)), plays, text: loaded.src.text }, diagnostics };
}
