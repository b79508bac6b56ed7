// The typed events the engine emits; renderers turn them into text. Nothing else writes stdout.
import type { Plan, Step } from '../sdk.js';
import type { Diagnostic } from '../errors.js';

export type HostStatus = 'ok' | 'changed' | 'failed' | 'unreachable' | 'skipped';

export interface TaskRef {
  play: number;
  index: number;
  name: string;
  module: string;
  handler?: boolean;
}

/** A file's content as events name it: its size, and its sha256 unless the content is secret. */
export interface ContentShown {
  size: number;
  sha256?: string;
}

/**
 * A file write as events carry it: never the content, only its size and sha256 (and the file's
 * before it, null when absent); `diff` only with --diff, capped (src/engine/write-diff.ts).
 */
export interface WriteShown extends ContentShown {
  kind: 'write' | 'controller-write';
  title: string;
  path: string;
  before: ContentShown | null;
  mode?: string;
  secret?: boolean;
  diff?: string;
}

/** A step as events carry it: exec and reconnect steps as planned, writes as WriteShown. */
export type StepShown = Exclude<Step, { kind: 'write' | 'controller-write' }> | WriteShown;

/** A plan as events carry it. */
export interface PlanShown extends Omit<Plan, 'steps'> {
  steps: StepShown[];
}

export interface SerializedError {
  code: string;
  message: string;
}

export interface RecapLine {
  ok: number;
  changed: number;
  failed: number;
  unreachable: number;
  skipped: number;
  rescued?: number;
  ignored: number;
}

export type RunEvent =
  | { type: 'run:start'; playbook: string; check: boolean; diff: boolean; hosts: string[] }
  | {
      type: 'play:start';
      play: number;
      name: string;
      hosts: string[];
      /** Set for strategy free / host_pinned: the play's task events then interleave across hosts (README). */
      strategy?: 'free' | 'host_pinned';
    }
  | { type: 'phase:start'; play: number; phase: string; hosts: string[] }
  | { type: 'batch:start'; play: number; batch: number; hosts: string[] }
  | { type: 'task:start'; task: TaskRef; hosts: string[] }
  | { type: 'host:plan'; task: TaskRef; host: string; plan: PlanShown; diff: boolean }
  | { type: 'step:start'; task: TaskRef; host: string; step: StepShown }
  | { type: 'step:end'; task: TaskRef; host: string; step: StepShown; ok: boolean; code?: number | null; ms: number }
  | { type: 'output'; task: TaskRef; host: string; stream: 'stdout' | 'stderr'; chunk: string }
  | {
      type: 'host:end';
      task: TaskRef;
      host: string;
      status: HostStatus;
      ms: number;
      item?: unknown;
      message?: string;
      error?: SerializedError;
      ignored?: boolean;
      /** What the task printed for the user (debug msg, command stdout tail). */
      output?: string;
    }
  | { type: 'task:end'; task: TaskRef }
  | { type: 'play:end'; play: number }
  | { type: 'warning'; message: string }
  | { type: 'diagnostics'; diagnostics: Diagnostic[] }
  | {
      type: 'run:end';
      recap: Record<string, RecapLine>;
      exitCode: number;
      ms: number;
      interrupted?: boolean;
      /** Why the run stopped before its end (any_errors_fatal, max_fail_percentage, every host of a batch down); also a warning. */
      stopped?: string;
      /** Round trips per host the tasks made, beyond connecting (each task's probes, commands and writes). */
      roundTrips?: Record<string, number>;
    };

export type Reporter = (e: RunEvent) => void;
