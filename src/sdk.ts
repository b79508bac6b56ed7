// The contract for module authors: the only import modules/ may use.
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import type { Command } from './command.js';
import type { ControllerFile, WriteContent } from './transport/types.js';
import type { FileSum } from './file-sum.js';

export { z } from 'zod';
export { isIPv4 } from 'node:net';
export { sh, kato, raw, quote, readOnly, shellScript, Secret, type Command } from './command.js';
/** Handlebars for template files ending in `.hbs` (every other template is Jinja2: HostView.render). */
export { renderHandlebars } from './template/handlebars.js';
export type { ControllerFile, WriteContent } from './transport/types.js';
export { sumOf, type FileSum } from './file-sum.js';

/** What a module asks the engine to do. A closed set: the engine knows how to show and run each kind. */
export type Step =
  | {
      kind: 'exec';
      /** Shown in output and check mode: "run kato node attach 10.0.0.1" or "~ hostname: a -> b". */
      title: string;
      cmd: Command;
      stdin?: string;
      /** Exit codes that count as success (default [0]). */
      okCodes?: number[];
      /**
       * An action asked for on every run, not a state (service restarted / reloaded): the engine's
       * re-plan after apply may hold it again, and only the other steps must have converged.
       */
      always?: boolean;
    }
  | {
      kind: 'write';
      title: string;
      path: string;
      /** What the file holds now (from the host's probe), null when absent. */
      before: FileSum | null;
      /** The new content: text, or a controller file the transport streams from disk. */
      content: WriteContent;
      mode?: string;
      /** Never show the content (diffs are masked). */
      secret?: boolean;
    }
  | {
      /** A file written on the controller, not the host (fetch): atomic, parent folders created. */
      kind: 'controller-write';
      title: string;
      /** Absolute path on the controller. */
      path: string;
      /** What the controller file holds now, null when absent. */
      before: FileSum | null;
      /** What it will hold: the size and sha256 of `base64`'s bytes. */
      after: FileSum;
      /** The bytes to write, base64 (binary-safe). */
      base64: string;
    }
  | {
      kind: 'reconnect';
      title: string;
      /** The address the engine reaches the host on from now on. */
      address: string;
      /** How long to wait for the host to answer there. */
      timeoutSec?: number;
    };

/** steps: [] means "in desired state"; note says why (shown in check output and in tests). */
export interface Plan {
  steps: Step[];
  note?: string;
  /** The host fails with this message without running anything (assert, refused versions). */
  fail?: string;
  /** Data the task returns for `register` and `debug` output, merged into the result. */
  data?: Record<string, unknown>;
}

/**
 * A read-only probe. `command` must be built with readOnly(sh`...`), change nothing, and leave
 * nothing running that writes to its output (the command shell passes it straight through).
 */
export interface Fact<T, A extends unknown[] = []> {
  name: string;
  /**
   * Its answer depends on other hosts too (cluster state: kato's nodes, roles, config): a change on
   * any host makes a prefetched answer stale (src/engine/prefetch.ts). Default: only this host's changes.
   */
  shared?: boolean;
  /**
   * false for a probe that waits (for roles to settle, say): the engine never sends it ahead, with
   * another task's round trip, where its wait would hold that task up. Default: it may go ahead.
   */
  ahead?: boolean;
  command(...args: A): Command;
  parse(out: { code: number | null; stdout: string; stderr: string }, ...args: A): T;
}

/** What gather() sees: facts and file reads only. It has no exec, so gather cannot change a host. */
export interface HostView {
  name: string;
  /** The address the controller reaches the host at (ansible_host, else the ssh config's HostName, else the name). */
  address: string;
  vars: Readonly<Record<string, unknown>>;
  /** Runs a probe (memoised per host and arguments for the duration of one plan). */
  fact<T, A extends unknown[]>(f: Fact<T, A>, ...args: A): Promise<T>;
  /** Reads a remote file; null if absent. */
  read(path: string): Promise<string | null>;
  /** Reads a file on the controller, relative to the playbook's folder. */
  readLocal(path: string): Promise<string>;
  /**
   * A controller file (relative to the playbook's folder) by size and sha256, for a write that
   * streams it to the host: never read whole into memory. Throws like readLocal when it is not a regular file.
   */
  controllerFile(path: string): Promise<ControllerFile>;
  /**
   * Reads a file on the controller as bytes (bytes null when absent); a relative path is relative to the
   * playbook's folder, and `path` is the absolute one; `directory` when a folder is there.
   * Optional: host views without a controller lack it.
   */
  readController?(path: string): Promise<{ path: string; bytes: Uint8Array | null; directory?: boolean }>;
  /** Renders a Handlebars template with this host's vars (strict, noEscape). */
  render(template: string, source: string): string;
  /** Evaluates an Ansible-style condition ("x == 1 and y is defined") against this host's vars. */
  test(expression: string): boolean;
}

export interface Module<S extends z.ZodType = z.ZodType, F = unknown> {
  /** YAML key: 'mount_shared'. */
  name: string;
  /** One line, shown by `stackplay modules`. */
  summary: string;
  /** Long documentation with an example YAML block. */
  doc?: string;
  params: S;
  /** false for command/shell: never converge-checked, check mode says "would run". */
  idempotent?: boolean;
  /** Module runs on the controller only and never opens a connection (debug, assert). */
  local?: boolean;
  /** A scalar written as the module's value (`command: ls -l`) becomes this param. */
  freeForm?: string;
  /** Params that name controller files (relative to the playbook's folder): checked at load to be regular files. */
  localFiles?: readonly string[];
  gather(host: HostView, p: z.output<S>): Promise<F>;
  /** PURE: no I/O, no clock, no randomness. */
  plan(facts: F, p: z.output<S>): Plan;
}

export const defineModule = <S extends z.ZodType, F>(m: Module<S, F>): Module<S, F> => m;

export const defineFact = <T, A extends unknown[] = []>(f: Fact<T, A>): Fact<T, A> => f;

/** Step builders. */
export const exec = (
  title: string,
  cmd: Command,
  extra: { stdin?: string; okCodes?: number[]; always?: boolean } = {},
): Step => ({
  kind: 'exec',
  title,
  cmd,
  ...extra,
});
export const write = (
  path: string,
  before: FileSum | null,
  content: WriteContent,
  extra: { mode?: string; secret?: boolean; title?: string } = {},
): Step => {
  const { title, ...rest } = extra;
  return {
    kind: 'write',
    title: title ?? `${before === null ? 'create' : 'update'} ${path}`,
    path,
    before,
    content,
    ...rest,
  };
};
export const reconnect = (address: string, timeoutSec?: number): Step =>
  timeoutSec === undefined
    ? { kind: 'reconnect', title: `reconnect to ${address}`, address }
    : { kind: 'reconnect', title: `reconnect to ${address}`, address, timeoutSec };

/** Hex digest of text (as UTF-8) or bytes: planning compares checksums the way Ansible does (sha1 by default). */
export const digest = (
  algorithm: 'md5' | 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512',
  data: string | Uint8Array,
): string => createHash(algorithm).update(data).digest('hex');

import semverLib from 'semver';
/** semver, for gating modules on the node's kato version (DESIGN.md section 5). */
export const semver = semverLib;
