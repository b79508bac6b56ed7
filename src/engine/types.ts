// What the engine needs to run plays: options, the connector, and per-host state.
import type { Module } from '../sdk.js';
import type { Transport } from '../transport/types.js';
import type { ResolvedHost } from '../inventory/types.js';
import type { Reporter } from '../report/events.js';

/** Opens and reuses one transport per host; the engine never builds transports itself. */
export interface Connector {
  get(host: ResolvedHost): Promise<Transport>;
  /** Drops the host's connection and reaches it on a new address (migrate_core_ip). */
  reconnect(host: ResolvedHost, address: string, timeoutSec?: number): Promise<Transport>;
  closeAll(): Promise<void>;
  /** Starts opening these hosts' connections before their first task asks (the SSH pool; fakes may leave it out). */
  warm?(hosts: Iterable<ResolvedHost>): void;
}

export interface EngineOptions {
  check: boolean;
  diff: boolean;
  forks: number;
  tags: string[];
  skipTags: string[];
  extraVars: Record<string, unknown>;
  modules: ReadonlyMap<string, Module>;
  connector: Connector;
  report: Reporter;
  /** Folder that copy/template `src` paths are relative to. */
  playbookDir: string;
  /** Per-command timeout. */
  timeoutSec?: number;
  signal?: AbortSignal;
  /** Values to mask in all output; no_log results are added during the run. */
  secrets?: string[];
}

export interface HostState {
  name: string;
  resolved: ResolvedHost;
  /** Results saved with `register` and variables set by set_fact (one level of Ansible's precedence). */
  registered: Record<string, unknown>;
  /** The vars of the include_tasks instance the host is running (rendered, and its loop item). */
  scope?: Record<string, unknown>;
  /**
   * A failure inside a block with a rescue: the rescue section sees it as ansible_failed_task/result.
   * Without them, the host goes to rescue for a run_once task that failed on another host (as in Ansible).
   */
  failure?: {
    task?: { name: string; action: string; args: Record<string, unknown> };
    result?: Record<string, unknown>;
  };
  /** System facts from gather_facts or a setup task (ansible_hostname, ...); absent until gathered. */
  facts?: Record<string, unknown>;
  /** Handler names notified and not yet run. */
  notified: Set<string>;
  /** A failed or unreachable host leaves the rest of the run. */
  state: 'active' | 'failed' | 'unreachable';
}
