// The template section of `npm run bench`: a 1,000-line template and 20 tasks x 500 hosts of params on the Jinja2 engine.
import { performance } from 'node:perf_hooks';
import { renderDeep } from '../src/engine/vars.js';
import { renderFile } from '../src/template/render.js';
import { jinjaTemplate, taskParams, templateVars } from './template-workload.js';

/** The old path (Handlebars + the hand-written evaluator, removed in the Jinja2 change), measured on this machine before removal. */
export const OLD_PATH = { templateFirstMs: [815, 995], templateCachedMs: 4.0, paramsMs: [231, 344] };

const best = (f: () => void, n: number): number => {
  let min = Infinity;
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    f();
    min = Math.min(min, performance.now() - t);
  }
  return min;
};

const ms = (v: number) => `${v.toFixed(1)} ms`;

/** Markdown lines: the new engine's times next to the recorded old-path times. */
export function templateBench(): string[] {
  const tpl = jinjaTemplate();
  let t = performance.now();
  renderFile(tpl, templateVars(1), 'bench.j2');
  const first = performance.now() - t;
  const cached = best(() => renderFile(tpl, templateVars(2), 'bench.j2'), 20);
  const params = taskParams();
  const hosts = Array.from({ length: 500 }, (_, h) => templateVars(h));
  const all = () => {
    for (const p of params) for (const v of hosts) renderDeep(p, v);
  };
  t = performance.now();
  all();
  const paramsFirst = performance.now() - t;
  const paramsBest = best(all, 5);
  const o = OLD_PATH;
  return [
    '| templates | Jinja2 (nunjucks) | old Handlebars path (recorded) |',
    '| --- | --- | --- |',
    `| 1,000-line template, first render (compile) | ${ms(first)} | ${o.templateFirstMs[0]}–${o.templateFirstMs[1]} ms |`,
    `| 1,000-line template, cached | ${ms(cached)} | ${o.templateCachedMs.toFixed(1)} ms |`,
    `| 20 tasks x 500 hosts of params, first | ${ms(paramsFirst)} | – |`,
    `| 20 tasks x 500 hosts of params, best of 5 | ${ms(paramsBest)} | ${o.paramsMs[0]}–${o.paramsMs[1]} ms |`,
  ];
}
