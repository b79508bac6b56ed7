// The read-only view of a host that a module's gather() sees: facts, reads, rendering, conditions.
import { existsSync } from 'node:fs';
import { readInputText } from '../load/input-file.js';
import { resolve } from 'node:path';
import type { Fact, HostView } from '../sdk.js';
import type { ExecOptions, ExecResult, Transport } from '../transport/types.js';
import type { Become, Command } from '../command.js';
import { connectionOf, type HostConnection } from '../transport/connection.js';
import { FactError } from '../errors.js';
import { controllerFileSum, readControllerFile } from './controller-files.js';
import { renderFile } from '../template/render.js';
import { testExpr } from '../template/expr.js';

export interface HostViewDeps {
  name: string;
  vars: Record<string, unknown>;
  /** Absent for controller-only modules: asking a fact then is a module bug. */
  transport?: Transport;
  playbookDir: string;
  /** Folders searched before the playbook's for controller files (a role's templates/, files/). */
  localDirs?: string[];
  timeoutMs?: number;
  /** Probes run with the task's privilege (src/privilege.ts), so a root-only path reads the same before and after apply. */
  become?: Become;
  /** The host's connection as resolved at load time; without it the vars are resolved here (tests). */
  connection?: HostConnection;
  /** Runs a probe in place of the transport (the engine's prefetch cache, src/engine/prefetch.ts). */
  probe?: (cmd: Command, fact: { shared: boolean; ahead: boolean }, o: ExecOptions) => Promise<ExecResult>;
}

/** Where a host is reached, by the one resolver (connectionOf), for views built without a resolved connection. */
export const addressOf = (name: string, vars: Record<string, unknown>): string =>
  connectionOf({ name, groups: [], vars }, { sshConfigFile: null }).address;

export function buildHostView(d: HostViewDeps): HostView {
  const memo = new Map<string, Promise<unknown>>();
  const need = (): Transport => {
    if (!d.transport) throw new FactError(d.name, 'a controller-only module asked the host for a fact');
    return d.transport;
  };
  // A role's task finds its `src` in the role's folders first.
  const localPath = (path: string): string =>
    (d.localDirs ?? []).map((dir) => resolve(dir, path)).find((p) => existsSync(p)) ?? resolve(d.playbookDir, path);
  return {
    name: d.name,
    get address() {
      return d.connection?.address ?? addressOf(d.name, d.vars);
    },
    vars: d.vars,
    fact<T, A extends unknown[]>(f: Fact<T, A>, ...args: A): Promise<T> {
      const probe = f.command(...args);
      const cmd = d.become ? { ...probe, become: d.become } : probe;
      const key = `${f.name}\0${cmd.text}`;
      let p = memo.get(key) as Promise<T> | undefined;
      if (!p) {
        const t = need();
        const o = d.timeoutMs ? { timeoutMs: d.timeoutMs } : {};
        p = (d.probe ? d.probe(cmd, { shared: f.shared === true, ahead: f.ahead !== false }, o) : t.exec(cmd, o)).then(
          (out) => {
            try {
              return f.parse(out, ...args);
            } catch (e) {
              const shown = (out.stdout || out.stderr).slice(0, 300);
              throw new FactError(
                d.name,
                `fact ${f.name} (${probe.display}): ${(e as Error).message}\nexit ${out.code}, output: ${JSON.stringify(shown)}`,
              );
            }
          },
        );
        memo.set(key, p);
      }
      return p;
    },
    read: (path) => need().read(path, d.become ? { become: d.become } : {}),
    readLocal: async (path) => readInputText(localPath(path)),
    controllerFile: async (path) => controllerFileSum(localPath(path)),
    readController: (path) => readControllerFile(d.playbookDir, path),
    render: (template, source) => renderFile(template, d.vars, source),
    test: (expression) => testExpr(expression, d.vars),
  };
}
