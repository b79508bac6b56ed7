// The migration's progress on the controller: which nodes are done, so an interrupted run can resume.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * pending: not touched yet; moved: re-attached, not verified yet; done: the core lists it with its roles
 * running; failed / unreachable: see error; skipped: not attached to the old core (--skip-unattached).
 */
export type NodeProgress = 'pending' | 'moved' | 'done' | 'failed' | 'unreachable' | 'skipped';

export interface NodeRecord {
  status: NodeProgress;
  at?: string;
  error?: string;
  /** The node's own address, as it reported it. */
  ip?: string;
}

export interface MigrationState {
  oldIp: string;
  newIp: string;
  started: string;
  updated: string;
  /** The backup of the core's config store on the controller, once written. */
  backup?: string;
  /** host name -> progress, in the order the nodes migrate (core first). */
  nodes: Record<string, NodeRecord>;
}

export const statePath = (newIp: string, dir = '.stackplay'): string => join(dir, `migrate-${newIp}.json`);
export const backupPath = (newIp: string, dir = '.stackplay'): string =>
  join(dir, `migrate-${newIp}-config-backup.json`);

export function readMigrationState(file: string): MigrationState | null {
  if (!existsSync(file)) return null;
  return JSON.parse(readFileSync(file, 'utf8')) as MigrationState;
}

/** Written atomically: a crash never leaves a half-written progress file. */
export function writeMigrationState(file: string, s: MigrationState): void {
  mkdirSync(dirname(file), { recursive: true });
  s.updated = new Date().toISOString();
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(s, null, 2)}\n`);
  renameSync(tmp, file);
}

export function newMigrationState(oldIp: string, newIp: string, order: string[]): MigrationState {
  const now = new Date().toISOString();
  return {
    oldIp,
    newIp,
    started: now,
    updated: now,
    nodes: Object.fromEntries(order.map((n) => [n, { status: 'pending' as const }])),
  };
}

/** Nodes still to do: neither verified done nor skipped. */
export const unfinished = (s: MigrationState): string[] =>
  Object.entries(s.nodes)
    .filter(([, v]) => v.status !== 'done' && v.status !== 'skipped')
    .map(([k]) => k);

export const withStatus = (s: MigrationState, ...status: NodeProgress[]): string[] =>
  Object.entries(s.nodes)
    .filter(([, v]) => status.includes(v.status))
    .map(([k]) => k);
